package org.ocfcloudbridge.ocf;

import java.util.Locale;
import java.util.Optional;

/** The encodings OCF payloads travel in, with their HTTP media type and CoAP Content-Format number. */
public enum OcfFormat {
    JSON(Protocol.MediaTypes.JSON, Protocol.MediaTypes.JSON_FORMAT),
    OCF_CBOR(Protocol.MediaTypes.OCF_CBOR, Protocol.MediaTypes.OCF_CBOR_FORMAT),
    CBOR(Protocol.MediaTypes.CBOR, Protocol.MediaTypes.CBOR_FORMAT);

    private final String mediaType;
    private final int contentFormat;

    OcfFormat(String mediaType, int contentFormat) {
        this.mediaType = mediaType;
        this.contentFormat = contentFormat;
    }

    public String mediaType() {
        return mediaType;
    }

    public int contentFormat() {
        return contentFormat;
    }

    public boolean isCbor() {
        return this != JSON;
    }

    /** The format of an HTTP media type, ignoring parameters such as {@code charset}. */
    public static Optional<OcfFormat> ofMediaType(String mediaType) {
        if (mediaType == null) {
            return Optional.empty();
        }
        String bare = mediaType.split(";", 2)[0].strip().toLowerCase(Locale.ROOT);
        for (OcfFormat f : values()) {
            if (f.mediaType.equals(bare)) {
                return Optional.of(f);
            }
        }
        return Optional.empty();
    }

    public static Optional<OcfFormat> ofContentFormat(int contentFormat) {
        for (OcfFormat f : values()) {
            if (f.contentFormat == contentFormat) {
                return Optional.of(f);
            }
        }
        return Optional.empty();
    }
}
