package org.ocfcloudbridge.testing;

import java.net.URI;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.UUID;

/**
 * The database a daemon started as a process uses: its own H2 file under its data folder on the H2 build, a fresh
 * database of its own in the configured PostgreSQL (QUARKUS_DATASOURCE_JDBC_URL, as the CI's second run sets it) on
 * the PostgreSQL build, so that daemon tests never share rows with the in-process suite.
 */
public final class DaemonDatabase {

    private DaemonDatabase() {
    }

    public static boolean postgres() {
        String url = System.getenv("QUARKUS_DATASOURCE_JDBC_URL");
        return url != null && url.startsWith("jdbc:postgresql://");
    }

    /** The properties that point one daemon at a database of its own (none on H2: bridge.data-dir does it). */
    public static Map<String, String> fresh() {
        Map<String, String> p = new LinkedHashMap<>();
        if (!postgres()) {
            return p;
        }
        String url = System.getenv("QUARKUS_DATASOURCE_JDBC_URL");
        String user = System.getenv().getOrDefault("QUARKUS_DATASOURCE_USERNAME", "postgres");
        String password = System.getenv().getOrDefault("QUARKUS_DATASOURCE_PASSWORD", "");
        String name = "daemon_" + UUID.randomUUID().toString().replace("-", "").substring(0, 16);
        try (Connection c = DriverManager.getConnection(url, user, password); Statement s = c.createStatement()) {
            s.execute("CREATE DATABASE " + name);
        } catch (SQLException e) {
            throw new IllegalStateException("cannot create a database for the daemon in " + url, e);
        }
        URI u = URI.create(url.substring("jdbc:".length()));
        p.put("quarkus.datasource.jdbc.url", "jdbc:postgresql://" + u.getRawAuthority() + "/" + name
                + (u.getRawQuery() == null ? "" : "?" + u.getRawQuery()));
        p.put("quarkus.datasource.username", user);
        if (!password.isEmpty()) {
            p.put("quarkus.datasource.password", password);
        }
        return p;
    }
}
