package org.ocfcloudbridge.testing;

import io.quarkus.test.junit.QuarkusTestProfile;
import org.h2.tools.Server;

import java.net.URI;
import java.sql.SQLException;
import java.util.Map;

/**
 * Points the daemon's datasource through a {@link TcpRelay}: at a throwaway H2 TCP server on the H2 build, at the
 * configured PostgreSQL (QUARKUS_DATASOURCE_JDBC_URL) on the PostgreSQL build.
 */
public class RelayedDatabaseProfile implements QuarkusTestProfile {

    private static TcpRelay relay;
    private static Server h2;

    /**
     * The relay's switch is a system property: the profile and the test may be loaded by different class loaders, so
     * they share nothing but JVM-wide strings.
     */
    private static final String CUT = "test.ocfbridge.database-cut";
    /** What the relay last applied: the switch is watched, so a caller that needs the cut in place waits for this. */
    private static final String APPLIED = "test.ocfbridge.database-cut-applied";

    /**
     * Cuts ({@code false}) or restores ({@code true}) the daemon's path to its database, and returns once the relay
     * has done it (open connections closed, new ones refused, or the path open again).
     */
    public static void databaseReachable(boolean reachable) {
        String wanted = Boolean.toString(!reachable);
        System.setProperty(CUT, wanted);
        long deadline = System.nanoTime() + java.util.concurrent.TimeUnit.SECONDS.toNanos(10);
        while (!wanted.equals(System.getProperty(APPLIED, "false"))) {
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException("the database relay did not " + (reachable ? "restore" : "cut") + " within 10 s");
            }
            try {
                Thread.sleep(5);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("interrupted while waiting for the database relay", e);
            }
        }
    }

    private static void publish(TcpRelay r) {
        System.setProperty(CUT, "false");
        System.setProperty(APPLIED, "false");
        Thread watcher = new Thread(() -> {
            boolean wasCut = false;
            while (true) {
                boolean cut = Boolean.getBoolean(CUT);
                if (cut != wasCut) {
                    if (cut) {
                        r.cut();
                    } else {
                        r.restore();
                    }
                    wasCut = cut;
                    System.setProperty(APPLIED, Boolean.toString(cut));
                }
                try {
                    Thread.sleep(20);
                } catch (InterruptedException e) {
                    return;
                }
            }
        }, "database-relay-switch");
        watcher.setDaemon(true);
        watcher.start();
    }

    @Override
    public synchronized Map<String, String> getConfigOverrides() {
        try {
            String postgres = System.getenv("QUARKUS_DATASOURCE_JDBC_URL");
            if (postgres != null && postgres.startsWith("jdbc:postgresql://")) {
                URI u = URI.create(postgres.substring("jdbc:".length()));
                int port = u.getPort() < 0 ? 5432 : u.getPort();
                if (relay == null) {
                    relay = new TcpRelay(u.getHost(), port);
                    publish(relay);
                }
                String relayed = "jdbc:postgresql://127.0.0.1:" + relay.port() + u.getRawPath()
                        + (u.getRawQuery() == null ? "" : "?" + u.getRawQuery());
                return Map.of("quarkus.datasource.jdbc.url", relayed,
                        "quarkus.datasource.jdbc.acquisition-timeout", "2S");
            }
            if (h2 == null) {
                h2 = Server.createTcpServer("-tcpPort", "0", "-ifNotExists").start();
                relay = new TcpRelay("127.0.0.1", h2.getPort());
                publish(relay);
            }
            return Map.of("quarkus.datasource.jdbc.url", "jdbc:h2:tcp://127.0.0.1:" + relay.port()
                            + "/mem:relayed;DB_CLOSE_DELAY=-1;MODE=PostgreSQL;DATABASE_TO_LOWER=TRUE;DEFAULT_NULL_ORDERING=HIGH",
                    "quarkus.datasource.jdbc.acquisition-timeout", "2S");
        } catch (java.io.IOException | SQLException e) {
            throw new IllegalStateException("cannot start the database relay", e);
        }
    }
}
