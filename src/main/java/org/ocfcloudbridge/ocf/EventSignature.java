package org.ocfcloudbridge.ocf;

import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.util.HexFormat;

/**
 * The Event-Signature of a notification (Part 10 §5.5): lower-case hex HMAC-SHA256, keyed with the UTF-8 bytes of the
 * subscription's signing secret, over {@code Content-Type:Event-Type:Subscription-ID:Sequence-Number:Event-Timestamp:}
 * followed by the body bytes exactly as sent. An absent header or body counts as empty. Both roles use it: the
 * Target Cloud signs, the Origin Cloud verifies.
 */
public final class EventSignature {

    private EventSignature() {
    }

    public static String sign(String secret, String contentType, String eventType, String subscriptionId, long sequenceNumber,
                              long eventTimestamp, byte[] body) {
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(secret.getBytes(StandardCharsets.UTF_8), "HmacSHA256"));
            String head = nz(contentType) + ":" + nz(eventType) + ":" + nz(subscriptionId) + ":" + sequenceNumber + ":"
                    + eventTimestamp + ":";
            mac.update(head.getBytes(StandardCharsets.UTF_8));
            if (body != null) {
                mac.update(body);
            }
            return HexFormat.of().formatHex(mac.doFinal());
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("HmacSHA256 is part of every Java runtime", e);
        }
    }

    /** Constant-time comparison of a received signature with the expected one (case-insensitive hex). */
    public static boolean matches(String expected, String received) {
        if (received == null) {
            return false;
        }
        return MessageDigest.isEqual(expected.getBytes(StandardCharsets.US_ASCII),
                received.toLowerCase(java.util.Locale.ROOT).getBytes(StandardCharsets.US_ASCII));
    }

    private static String nz(String s) {
        return s == null ? "" : s;
    }
}
