package org.ocfcloudbridge.config;

import io.smallrye.config.ConfigValidationException;
import org.junit.jupiter.api.Test;

import java.net.ConnectException;
import java.sql.SQLException;
import java.util.Map;
import java.util.Optional;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class StartupFailureTest {

    @Test
    void validationProblemsAreListedByKeyOnOneLine() {
        ConfigValidationException e = new ConfigValidationException(new ConfigValidationException.Problem[] {
                new ConfigValidationException.Problem("bridge.coap.tcp-port must be a TCP port between 0 and 65535"),
                new ConfigValidationException.Problem("SRCFG00039: The config property bridge.coap.tls-port with the config value \"x\""
                        + " threw an Exception whilst being converted SRCFG00029: Expected an integer value, got \"x\"")});
        String line = StartupFailure.describe(new RuntimeException("Failed to start quarkus", new IllegalStateException(e)));
        assertEquals("bridge.coap.tcp-port must be a TCP port between 0 and 65535; "
                + "bridge.coap.tls-port has an invalid value \"x\": Expected an integer value, got \"x\"", line);
    }

    @Test
    void aRangeCheckOfAConverterReadsAsOneSentenceWithTheKey() {
        ConfigValidationException e = new ConfigValidationException(new ConfigValidationException.Problem[] {
                new ConfigValidationException.Problem("SRCFG00039: The config property bridge.coap.tcp-port with the config value \"70000\""
                        + " threw an Exception whilst being converted java.lang.IllegalArgumentException: must be a TCP port between 0 and 65535")});
        assertEquals("bridge.coap.tcp-port must be a TCP port between 0 and 65535 (got \"70000\")", StartupFailure.describe(e));
    }

    @Test
    void aMisspeltKeyIsNamed() {
        ConfigValidationException e = new ConfigValidationException(new ConfigValidationException.Problem[] {
                new ConfigValidationException.Problem("SRCFG00050: bridge.coap.tcp-prot in SysPropConfigSource does not map to any root")});
        assertEquals("bridge.coap.tcp-prot is not a known setting (misspelt?)", StartupFailure.describe(e));
    }

    @Test
    void crossKeyProblemsNameTheKey() {
        String line = StartupFailure.describe(new RuntimeException(new BridgeConfigException("bridge.coap.tls-port", "must differ")));
        assertEquals("bridge.coap.tls-port must differ", line);
    }

    @Test
    void anUnreachableDatabaseIsNamedWithoutItsCredentials() {
        Throwable t = new RuntimeException("Failed to start quarkus", new IllegalStateException("flyway",
                new SQLException("Connection to 127.0.0.1:1 refused. Check that the hostname and port are correct.\n\tat somewhere",
                        new ConnectException("Connection refused"))));
        Map<String, String> config = Map.of("quarkus.datasource.jdbc.url", "jdbc:postgresql://bob:pw@127.0.0.1:1/bridge?password=secret");
        String line = StartupFailure.describe(t, k -> Optional.ofNullable(config.get(k)));
        assertEquals("cannot use the database jdbc:postgresql://127.0.0.1:1/bridge: "
                + "Connection to 127.0.0.1:1 refused. Check that the hostname and port are correct.", line);
    }

    @Test
    void aPostgreSqlBuildWithoutDatabaseUrlSaysWhatToSet() {
        Throwable t = new RuntimeException("Failed to start quarkus",
                new RuntimeException("Bean is not active: SYNTHETIC bean [class=io.agroal.api.AgroalDataSource, id=x]"));
        String line = StartupFailure.describe(t, k -> k.equals("quarkus.datasource.db-kind") ? Optional.of("postgresql") : Optional.empty());
        assertTrue(line.startsWith("quarkus.datasource.jdbc.url is not set: this build is for postgresql"), line);
    }

    @Test
    void otherFailuresKeepWhereAndWhyWithoutStackTrace() {
        Throwable t = new RuntimeException("Failed to start quarkus",
                new IllegalStateException("TLS key unreadable\n\tat x", new java.io.IOException("Permission denied")));
        String line = StartupFailure.describe(t, k -> Optional.empty());
        assertEquals("TLS key unreadable: Permission denied", line);
        assertFalse(line.contains("\n"));
    }

    @Test
    void strictBooleansRefuseTypos() {
        StrictBooleanConverter c = new StrictBooleanConverter();
        assertTrue(c.convert("TRUE"));
        assertTrue(c.convert("on"));
        assertFalse(c.convert("false"));
        assertFalse(c.convert(" 0 "));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> c.convert("ture"));
        assertEquals("expected true or false, got \"ture\"", e.getMessage());
    }
}
