package org.ocfcloudbridge.origin.forward;

import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * Webhook bodies and event stream lines put a stored payload in as it is: JSON stays as it was, and anything else
 * (a row written before every payload was made by Jackson, with a device id holding a quote) goes in as a JSON string,
 * so the body is always JSON.
 */
class VendorEventPayloadTest {

    private static final ObjectMapper JSON = new ObjectMapper();

    @Test
    void jsonIsPutInAsItIs() {
        for (String json : new String[]{"{\"href\":\"/a\",\"content\":{\"v\":[1,2]}}", "[]", "[{\"di\":\"x\"}]", "42", "\"text\""}) {
            assertEquals(json, VendorEvents.jsonValue(json));
        }
    }

    @Test
    void whatIsNotJsonBecomesAJsonStringOfTheSameText() throws Exception {
        for (String text : new String[]{"{\"di\":\"a\"b\"}", "{\"v\":1} trailing", "", "{\"unclosed\":", "line\nbreak\u0001\\"}) {
            String value = VendorEvents.jsonValue(text);
            String body = "{\"payload\":" + value + "}";
            assertEquals(text, JSON.readTree(body).path("payload").textValue(), "from " + text);
        }
    }
}
