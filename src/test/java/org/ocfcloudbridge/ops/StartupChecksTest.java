package org.ocfcloudbridge.ops;

import org.junit.jupiter.api.Test;
import org.ocfcloudbridge.config.BridgeConfigException;

import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

class StartupChecksTest {

    @Test
    void bothRolesOffIsRefused() {
        BridgeConfigException e = assertThrows(BridgeConfigException.class, () -> config(false, false, 5683, 5684).run());
        assertEquals("bridge.target.enabled and bridge.origin.enabled are both false: switch on at least one role", e.getMessage());
    }

    @Test
    void theSamePortForCoapOverTcpAndTlsIsRefusedUnlessBothAreEphemeral() {
        BridgeConfigException e = assertThrows(BridgeConfigException.class, () -> config(true, true, 7000, 7000).run());
        assertEquals("bridge.coap.tls-port must differ from bridge.coap.tcp-port (both are 7000)", e.getMessage());
        assertDoesNotThrow(config(true, false, 0, 0)::run);
        // Without the Target role nothing listens on CoAP: the ports do not matter.
        assertDoesNotThrow(config(false, true, 7000, 7000)::run);
    }

    @Test
    void aRefreshTokenLifetimeShorterThanTheAccessTokensIsRefused() {
        BridgeConfigException e = assertThrows(BridgeConfigException.class,
                () -> StartupChecks.verifyLifetimes(java.time.Duration.ofHours(2), java.time.Duration.ofHours(1)));
        assertEquals("bridge.identity.refresh-token-lifetime must be at least bridge.identity.access-token-lifetime (PT2H)",
                e.getMessage());
        assertDoesNotThrow(() -> StartupChecks.verifyLifetimes(java.time.Duration.ofHours(1), java.time.Duration.ofHours(1)));
    }

    private static Runnable config(boolean target, boolean origin, int tcp, int tls) {
        return () -> StartupChecks.verify(target, origin, tcp, tls);
    }
}
