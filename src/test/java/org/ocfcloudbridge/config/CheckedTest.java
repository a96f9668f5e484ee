package org.ocfcloudbridge.config;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

/** The checks that replaced Bean Validation on the config mappings keep their bounds and say what the value must be. */
class CheckedTest {

    @Test
    void portsAreZeroTo65535() {
        Checked.Port port = new Checked.Port();
        assertEquals(0, port.convert("0"));
        assertEquals(65535, port.convert(" 65535 "));
        assertEquals("must be a TCP port between 0 and 65535",
                assertThrows(IllegalArgumentException.class, () -> port.convert("65536")).getMessage());
        assertThrows(IllegalArgumentException.class, () -> port.convert("-1"));
        assertEquals("expected a whole number, got \"http\"",
                assertThrows(IllegalArgumentException.class, () -> port.convert("http")).getMessage());
    }

    @Test
    void rangesHoldTheirEnds() {
        assertEquals(1152, new Checked.CoapMessageSize().convert("1152"));
        assertThrows(IllegalArgumentException.class, () -> new Checked.CoapMessageSize().convert("1151"));
        assertThrows(IllegalArgumentException.class, () -> new Checked.CoapMessageSize().convert("8388609"));
        assertEquals(10000, new Checked.HashIterations().convert("10000"));
        assertThrows(IllegalArgumentException.class, () -> new Checked.HashIterations().convert("9999"));
        assertThrows(IllegalArgumentException.class, () -> new Checked.AtLeastOne().convert("0"));
        assertEquals(64, new Checked.OneTo64().convert("64"));
        assertThrows(IllegalArgumentException.class, () -> new Checked.OneTo64().convert("65"));
        assertEquals(4096, new Checked.OneTo4096().convert("4096"));
        assertThrows(IllegalArgumentException.class, () -> new Checked.OneTo4096().convert("0"));
    }

    @Test
    void blankTextAndUrlsWithQueriesAreRefused() {
        assertEquals("data", new Checked.NotBlank().convert("data"));
        assertEquals("must not be blank", assertThrows(IllegalArgumentException.class, () -> new Checked.NotBlank().convert("  ")).getMessage());
        assertEquals("https://cloud.example.com/base", new Checked.BaseUrl().convert("https://cloud.example.com/base"));
        for (String bad : new String[] {"ftp://x", "http://x/?q=1", "http://x/#f", "cloud.example.com", "http:// x"}) {
            assertThrows(IllegalArgumentException.class, () -> new Checked.BaseUrl().convert(bad), bad);
        }
    }
}
