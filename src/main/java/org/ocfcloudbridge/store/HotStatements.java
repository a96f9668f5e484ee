package org.ocfcloudbridge.store;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Statements of the plain-JDBC hot paths, kept prepared per embedded H2 connection.
 * <p>
 * H2 keeps parsed statements per session ({@code QUERY_CACHE_SIZE}), but never a {@code select … for update}: its
 * {@code Select.isCacheable()} is false for one. So every locking select of the event path (the device fence, the
 * Target's and the Origin's subscription locks, the vendor-event order lock) was parsed and planned anew each time:
 * 8.6% of the daemon's CPU at 300 changes/s in the profile of 2026-12-05. A statement prepared on H2's own connection
 * and kept open stays parsed, whatever its kind. PostgreSQL's driver keeps statements prepared per connection by
 * itself, so there (and on any other database) a statement is prepared and closed as usual.
 * <p>
 * The pool lends a connection to one thread at a time, so a kept statement is never used by two at once. Each
 * connection keeps at most {@link #PER_CONNECTION} statements (least recently used closed first); a connection the
 * pool closed is forgotten when the next new connection comes by, so nothing outlives the pool's connections for long.
 */
public final class HotStatements {

    /** Each distinct SQL text (an in-list padded to a power of two is a text per size) costs one entry. */
    static final int PER_CONNECTION = 64;

    private static final Map<org.h2.jdbc.JdbcConnection, Map<String, PreparedStatement>> KEPT = new IdentityHashMap<>();

    private HotStatements() {
    }

    /** What runs with the statement: binds it, executes it, reads it; must not close it. */
    @FunctionalInterface
    public interface Work<T> {
        T run(PreparedStatement ps) throws SQLException;
    }

    /** Runs {@code work} with {@code sql} prepared on {@code c}: kept from the last time on H2, else prepared now. */
    public static <T> T with(Connection c, String sql, Work<T> work) throws SQLException {
        if (!c.isWrapperFor(org.h2.jdbc.JdbcConnection.class)) {
            try (PreparedStatement ps = c.prepareStatement(sql)) {
                return work.run(ps);
            }
        }
        org.h2.jdbc.JdbcConnection h2 = c.unwrap(org.h2.jdbc.JdbcConnection.class);
        Map<String, PreparedStatement> kept = kept(h2);
        PreparedStatement ps;
        synchronized (kept) {
            ps = kept.get(sql);
        }
        if (ps == null || ps.isClosed()) {
            ps = h2.prepareStatement(sql);
            synchronized (kept) {
                kept.put(sql, ps);
            }
        }
        return work.run(ps);
    }

    /**
     * Runs plain JDBC on the current transaction's connection, the one Hibernate uses, so the work commits or rolls
     * back with the rest of the transaction.
     */
    public static <T> T onTransaction(org.hibernate.jdbc.ReturningWork<T> work) {
        return io.quarkus.hibernate.orm.panache.Panache.getEntityManager().unwrap(org.hibernate.Session.class)
                .doReturningWork(work);
    }

    /** One statement, kept prepared ({@link #with}), on the current transaction's connection. */
    public static <T> T inTransaction(String sql, Work<T> work) {
        return onTransaction(c -> with(c, sql, work));
    }

    /** Statements kept, over all connections (for tests). */
    static int size() {
        synchronized (KEPT) {
            return KEPT.values().stream().mapToInt(Map::size).sum();
        }
    }

    private static Map<String, PreparedStatement> kept(org.h2.jdbc.JdbcConnection h2) throws SQLException {
        synchronized (KEPT) {
            Map<String, PreparedStatement> kept = KEPT.get(h2);
            if (kept == null) {
                // New connections are rare (the pool keeps its own): the moment to forget those it closed.
                KEPT.keySet().removeIf(HotStatements::closed);
                kept = new LinkedHashMap<>(16, 0.75f, true) {
                    @Override
                    protected boolean removeEldestEntry(Map.Entry<String, PreparedStatement> eldest) {
                        if (size() <= PER_CONNECTION) {
                            return false;
                        }
                        try {
                            eldest.getValue().close();
                        } catch (SQLException e) {
                            // Closing a statement of a connection that went away: nothing is left to free.
                        }
                        return true;
                    }
                };
                KEPT.put(h2, kept);
            }
            return kept;
        }
    }

    private static boolean closed(org.h2.jdbc.JdbcConnection h2) {
        try {
            return h2.isClosed();
        } catch (SQLException e) {
            return true;
        }
    }
}
