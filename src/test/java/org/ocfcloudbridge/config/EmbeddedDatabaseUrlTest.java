package org.ocfcloudbridge.config;

import io.smallrye.config.EnvConfigSource;
import io.smallrye.config.PropertiesConfigSource;
import io.smallrye.config.SmallRyeConfig;
import io.smallrye.config.SmallRyeConfigBuilder;
import org.junit.jupiter.api.Test;

import java.nio.file.Path;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class EmbeddedDatabaseUrlTest {

    private static SmallRyeConfig config(Map<String, String> values) {
        return new SmallRyeConfigBuilder()
                .withSources(new PropertiesConfigSource(values, "test", 100))
                .withInterceptors(new EmbeddedDatabaseUrl())
                .build();
    }

    @Test
    void theH2FileLivesInTheDataFolderAsAnAbsolutePath() {
        SmallRyeConfig c = config(Map.of("bridge.data-dir", "var/bridge"));
        String url = c.getValue("quarkus.datasource.jdbc.url", String.class);
        String expected = "jdbc:h2:file:" + Path.of("var/bridge").toAbsolutePath().normalize().resolve("bridge");
        assertTrue(url.startsWith(expected + ";MODE=PostgreSQL;"), url);
    }

    @Test
    void theDefaultFolderIsDataInTheWorkingDirectory() {
        String url = config(Map.of()).getValue("quarkus.datasource.jdbc.url", String.class);
        assertTrue(url.startsWith("jdbc:h2:file:" + Path.of("data").toAbsolutePath().resolve("bridge") + ";"), url);
    }

    @Test
    void theFolderCanComeFromTheEnvironment() {
        SmallRyeConfig c = new SmallRyeConfigBuilder()
                .withSources(new EnvConfigSource(Map.of("BRIDGE_DATA_DIR", "/srv/bridge"), 300))
                .withInterceptors(new EmbeddedDatabaseUrl())
                .build();
        assertTrue(c.getValue("quarkus.datasource.jdbc.url", String.class).startsWith("jdbc:h2:file:/srv/bridge/bridge;"));
    }

    @Test
    void aConfiguredUrlWins() {
        SmallRyeConfig c = config(Map.of("quarkus.datasource.jdbc.url", "jdbc:h2:mem:x", "bridge.data-dir", "/srv"));
        assertEquals("jdbc:h2:mem:x", c.getValue("quarkus.datasource.jdbc.url", String.class));
    }

    @Test
    void nothingIsDerivedForPostgreSql() {
        SmallRyeConfig c = config(Map.of("quarkus.datasource.db-kind", "postgresql"));
        assertTrue(c.getOptionalValue("quarkus.datasource.jdbc.url", String.class).isEmpty());
    }
}
