package org.ocfcloudbridge.bench;

import org.ocfcloudbridge.ocf.EventSignature;
import org.ocfcloudbridge.origin.forward.WebhookSender;

import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.util.Base64;

/**
 * The two signatures the benches check, computed with one {@link Mac} per thread: the daemon's own helpers
 * ({@link EventSignature#sign}, {@link WebhookSender#sign}) look the algorithm up and key a new Mac per call, which at
 * the bare paths' rates would be a large part of what the receiver and the bare client spend. {@link #selfCheck} ties
 * both back to the daemon's code, so a change of either scheme fails the bench at start instead of counting every
 * notification as bad.
 */
final class Signer {

    /** OCF Event-Signature (notifications) or Standard Webhooks (vendor webhooks). */
    enum Scheme { OCF, WEBHOOK }

    private final Scheme scheme;
    private final ThreadLocal<Mac> mac;
    private final byte[] key;

    Signer(Scheme scheme, String secret) {
        this.scheme = scheme;
        this.key = scheme == Scheme.OCF ? secret.getBytes(StandardCharsets.UTF_8)
                : Base64.getDecoder().decode(secret.startsWith("whsec_") ? secret.substring(6) : secret);
        this.mac = ThreadLocal.withInitial(() -> {
            try {
                Mac m = Mac.getInstance("HmacSHA256");
                m.init(new SecretKeySpec(key, "HmacSHA256"));
                return m;
            } catch (GeneralSecurityException e) {
                throw new IllegalStateException("HmacSHA256 is part of every Java runtime", e);
            }
        });
    }

    Scheme scheme() {
        return scheme;
    }

    /** OCF: HMAC over {@code Content-Type:Event-Type:Subscription-ID:Sequence-Number:Event-Timestamp:} + body. */
    byte[] ocf(String contentType, String eventType, String subscriptionId, String seq, String timestamp, byte[] body) {
        Mac m = mac.get();
        m.update(ascii(nz(contentType) + ':' + nz(eventType) + ':' + nz(subscriptionId) + ':' + nz(seq) + ':' + nz(timestamp) + ':'));
        return m.doFinal(body);
    }

    /** Standard Webhooks: HMAC over {@code id.timestamp.body}. */
    byte[] webhook(String id, String timestamp, byte[] body) {
        Mac m = mac.get();
        m.update(ascii(nz(id) + '.' + nz(timestamp) + '.'));
        return m.doFinal(body);
    }

    /** The Event-Signature header's form: lower-case hex. */
    static String hex(byte[] mac) {
        return java.util.HexFormat.of().formatHex(mac);
    }

    /** Whether {@code header} (hex, any case) is {@code expected}, in constant time for headers of the right length. */
    static boolean hexMatches(byte[] expected, String header) {
        if (header == null || header.length() != expected.length * 2) {
            return false;
        }
        byte[] got = new byte[expected.length];
        for (int i = 0; i < got.length; i++) {
            int hi = Character.digit(header.charAt(2 * i), 16);
            int lo = Character.digit(header.charAt(2 * i + 1), 16);
            if (hi < 0 || lo < 0) {
                return false;
            }
            got[i] = (byte) (hi << 4 | lo);
        }
        return MessageDigest.isEqual(expected, got);
    }

    /** Whether one of the space-separated {@code v1,<base64>} signatures of a webhook-signature header is {@code expected}. */
    static boolean webhookMatches(byte[] expected, String header) {
        if (header == null) {
            return false;
        }
        boolean any = false;
        for (String one : header.split(" ")) {
            if (one.startsWith("v1,")) {
                try {
                    any |= MessageDigest.isEqual(expected, Base64.getDecoder().decode(one.substring(3)));
                } catch (IllegalArgumentException notBase64) {
                    // another signature of the list may still match
                }
            }
        }
        return any;
    }

    /** Fails when this class and the daemon's signing code disagree on a sample. */
    void selfCheck() {
        byte[] body = "{\"temperature\":21.5,\"units\":\"C\"}".getBytes(StandardCharsets.UTF_8);
        boolean same;
        if (scheme == Scheme.OCF) {
            String daemon = EventSignature.sign(new String(key, StandardCharsets.UTF_8), "application/json", "resource_contentchanged",
                    "00000000-0000-4000-8000-000000000001", 7, 1_700_000_000L, body);
            same = daemon.equals(hex(ocf("application/json", "resource_contentchanged", "00000000-0000-4000-8000-000000000001",
                    "7", "1700000000", body)));
        } else {
            String daemon = WebhookSender.sign(key, "evt_7", 1_700_000_000L, body);
            same = webhookMatches(webhook("evt_7", "1700000000", body), "v1," + daemon);
        }
        if (!same) {
            throw new IllegalStateException("the bench's " + scheme + " signature no longer matches the daemon's");
        }
    }

    private static String nz(String s) {
        return s == null ? "" : s;
    }

    private static byte[] ascii(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }
}
