package org.ocfcloudbridge.store;

import org.junit.jupiter.api.Test;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Statements kept prepared per H2 connection: reused, still locking, bounded, and let go with their connection. */
class HotStatementsTest {

    private static final String LOCK = "select id, owner from thing where id in (?, ?) order by id for update";

    private static Connection open(String db) throws SQLException {
        return DriverManager.getConnection("jdbc:h2:mem:" + db + ";DB_CLOSE_DELAY=-1;LOCK_TIMEOUT=300");
    }

    private static String database() throws SQLException {
        String db = "hot-" + UUID.randomUUID();
        try (Connection c = open(db); Statement s = c.createStatement()) {
            s.execute("create table thing (id varchar(10) primary key, owner varchar(10))");
            s.execute("insert into thing values ('a', 'alice'), ('b', 'bob')");
        }
        return db;
    }

    private static List<String> owners(PreparedStatement ps) throws SQLException {
        ps.setString(1, "a");
        ps.setString(2, "b");
        List<String> out = new ArrayList<>();
        try (var rs = ps.executeQuery()) {
            while (rs.next()) {
                out.add(rs.getString(2));
            }
        }
        return out;
    }

    @Test
    void aLockingSelectIsPreparedOncePerConnectionAndStillLocksItsRows() throws Exception {
        String db = database();
        try (Connection c = open(db); Connection other = open(db)) {
            c.setAutoCommit(false);
            PreparedStatement[] first = new PreparedStatement[1];
            assertEquals(List.of("alice", "bob"), HotStatements.with(c, LOCK, ps -> {
                first[0] = ps;
                return owners(ps);
            }));
            c.commit();
            // The second time, in a new transaction: the same statement, not closed by the first use, and it locks.
            assertEquals(List.of("alice", "bob"), HotStatements.with(c, LOCK, ps -> {
                assertSame(first[0], ps);
                return owners(ps);
            }));
            assertFalse(first[0].isClosed());
            SQLException waited = assertThrows(SQLException.class,
                    () -> other.createStatement().executeUpdate("update thing set owner = 'mallory' where id = 'b'"));
            assertTrue(waited.getMessage().contains("Timeout") || waited.getMessage().contains("timeout"), waited.getMessage());
            c.commit();
            assertEquals(1, other.createStatement().executeUpdate("update thing set owner = 'carol' where id = 'b'"));
            // What the kept statement reads is what is committed now, not what it read when it was prepared.
            assertEquals(List.of("alice", "carol"), HotStatements.with(c, LOCK, HotStatementsTest::owners));
            c.commit();
        }
    }

    @Test
    void aConnectionKeepsAtMostItsShareAndClosesTheLeastRecentlyUsed() throws Exception {
        String db = database();
        try (Connection c = open(db)) {
            PreparedStatement[] oldest = new PreparedStatement[1];
            HotStatements.with(c, "select 0 from thing", ps -> oldest[0] = ps);
            for (int i = 1; i <= HotStatements.PER_CONNECTION; i++) {
                HotStatements.with(c, "select " + i + " from thing", ps -> ps);
            }
            assertTrue(oldest[0].isClosed(), "the least recently used statement is closed when one more comes");
            PreparedStatement again = HotStatements.with(c, "select 0 from thing", ps -> ps);
            assertFalse(again.isClosed());
        }
    }

    @Test
    void statementsOfAClosedConnectionAreForgottenWhenTheNextConnectionComes() throws Exception {
        String db = database();
        Connection gone = open(db);
        for (int i = 0; i < 10; i++) {
            HotStatements.with(gone, "select " + i + " from thing", ps -> ps);
        }
        int before = HotStatements.size();
        gone.close();
        try (Connection next = open(db)) {
            HotStatements.with(next, LOCK, HotStatementsTest::owners);
            assertTrue(HotStatements.size() <= before - 10 + 1, "kept: " + HotStatements.size() + ", before: " + before);
        }
    }
}
