package org.ocfcloudbridge.ops;

import java.net.URI;
import java.net.URISyntaxException;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.Optional;
import java.util.UUID;

/** Checks of text that arrives from outside (paths, headers, bodies), shared by both roles. */
public final class Inputs {

    private Inputs() {
    }

    /** The UUID {@code s} stands for; empty for anything else, null included. */
    public static Optional<UUID> uuid(String s) {
        try {
            return s == null ? Optional.empty() : Optional.of(UUID.fromString(s));
        } catch (IllegalArgumentException e) {
            return Optional.empty();
        }
    }

    /** Whether {@code s} is an absolute http or https URL with a host. */
    public static boolean httpUrl(String s) {
        if (s == null) {
            return false;
        }
        try {
            URI u = new URI(s);
            return u.isAbsolute() && ("http".equalsIgnoreCase(u.getScheme()) || "https".equalsIgnoreCase(u.getScheme()))
                    && u.getHost() != null && !u.getHost().isEmpty();
        } catch (URISyntaxException e) {
            return false;
        }
    }

    /** A device-local href as URL path segments, each encoded ({@code /oic/d} stays {@code /oic/d}). */
    public static String hrefPath(String href) {
        StringBuilder b = new StringBuilder();
        for (String seg : href.split("/")) {
            if (!seg.isEmpty()) {
                b.append('/').append(URLEncoder.encode(seg, StandardCharsets.UTF_8).replace("+", "%20"));
            }
        }
        return b.toString();
    }
}
