package org.ocfcloudbridge.ocf;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;

import java.io.InputStream;
import java.nio.charset.StandardCharsets;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The Event-Signature recipe against the digest's test vectors (§5.5; the first is plgd hub's own). */
class EventSignatureTest {

    @Test
    void everyVectorOfTheDigestIsReproduced() throws Exception {
        JsonNode vectors;
        try (InputStream in = getClass().getResourceAsStream("/ocf/vectors/event-signature.json")) {
            vectors = new ObjectMapper().readTree(in).get("vectors");
        }
        assertTrue(vectors.size() >= 3);
        for (JsonNode v : vectors) {
            String contentType = v.get("contentType").asText();
            String signature = EventSignature.sign(v.get("secret").asText(), contentType.isEmpty() ? null : contentType,
                    v.get("eventType").asText(), v.get("subscriptionId").asText(), v.get("sequenceNumber").asLong(),
                    v.get("timestamp").asLong(), v.get("body").asText().getBytes(StandardCharsets.UTF_8));
            assertEquals(v.get("signature").asText(), signature, v.get("eventType").asText());
        }
    }

    @Test
    void verificationIsExactButCaseInsensitive() {
        String s = EventSignature.sign("a", "b", "devices_online", "c", 0, 0, new byte[0]);
        assertTrue(EventSignature.matches(s, s.toUpperCase()));
        assertFalse(EventSignature.matches(s, s.substring(1) + "0"));
        assertFalse(EventSignature.matches(s, null));
        assertFalse(EventSignature.matches(s, EventSignature.sign("a", "b", "devices_online", "c", 1, 0, new byte[0])),
                "another sequence number signs differently");
    }
}
