package org.ocfcloudbridge.targetcloud.api;

import org.ocfcloudbridge.ocf.Protocol.MediaTypes;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;

/** Content negotiation of the Cloud API: JSON or OCF CBOR (Part 10 §3), decided by us rather than by the framework. */
public final class ApiMedia {

    public enum Kind { JSON, CBOR }

    private ApiMedia() {
    }

    /**
     * What to answer for an {@code Accept} header: the first acceptable of JSON and OCF CBOR by quality, JSON when
     * there is no header or a wildcard; {@code null} when neither is acceptable.
     */
    public static Kind accept(String header) {
        if (header == null || header.isBlank()) {
            return Kind.JSON;
        }
        record Choice(Kind kind, double q, int order) {
        }
        List<Choice> choices = new ArrayList<>();
        String[] parts = header.split(",");
        for (int i = 0; i < parts.length; i++) {
            String[] p = parts[i].trim().split(";", -1);
            String type = p[0].trim().toLowerCase(Locale.ROOT);
            double q = 1;
            for (int j = 1; j < p.length; j++) {
                String param = p[j].trim();
                if (param.startsWith("q=")) {
                    try {
                        q = Double.parseDouble(param.substring(2));
                    } catch (NumberFormatException e) {
                        q = 0;
                    }
                }
            }
            Kind kind = switch (type) {
                case MediaTypes.JSON, "*/*", "application/*" -> Kind.JSON;
                case MediaTypes.OCF_CBOR, MediaTypes.CBOR -> Kind.CBOR;
                default -> null;
            };
            if (kind != null && q > 0) {
                choices.add(new Choice(kind, q, i));
            }
        }
        return choices.stream().min(Comparator.comparingDouble((Choice c) -> -c.q()).thenComparingInt(Choice::order))
                .map(Choice::kind).orElse(null);
    }

    /** Whether JSON is acceptable: device lists are JSON only in the swagger. */
    public static boolean acceptsJson(String header) {
        if (header == null || header.isBlank()) {
            return true;
        }
        for (String part : header.split(",")) {
            String[] p = part.trim().split(";", -1);
            String type = p[0].trim().toLowerCase(Locale.ROOT);
            boolean zero = false;
            for (int j = 1; j < p.length; j++) {
                zero |= p[j].trim().replace(" ", "").matches("q=0(\\.0*)?");
            }
            if (!zero && (type.equals(MediaTypes.JSON) || type.equals("*/*") || type.equals("application/*"))) {
                return true;
            }
        }
        return false;
    }

    /** The kind of a request body by its {@code Content-Type}; {@code null} for anything else. */
    public static Kind contentType(String header) {
        if (header == null) {
            return null;
        }
        String type = header.split(";", -1)[0].trim().toLowerCase(Locale.ROOT);
        return switch (type) {
            case MediaTypes.JSON -> Kind.JSON;
            case MediaTypes.OCF_CBOR, MediaTypes.CBOR -> Kind.CBOR;
            default -> null;
        };
    }

    public static String mediaType(Kind kind) {
        return kind == Kind.CBOR ? MediaTypes.OCF_CBOR : MediaTypes.JSON;
    }
}
