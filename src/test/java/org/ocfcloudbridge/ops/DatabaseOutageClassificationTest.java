package org.ocfcloudbridge.ops;

import org.junit.jupiter.api.Test;

import javax.transaction.xa.XAException;
import java.io.EOFException;
import java.sql.SQLException;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Which failures are the database being away (a 503 and a retry) rather than a fault of ours. */
class DatabaseOutageClassificationTest {

    @Test
    void aCommitWhoseConnectionStreamEndedIsAnOutage() {
        // H2's chain when the outage cuts a commit: no connection SQLState, the EOFException as the cause, and all of it
        // suppressed by the XAException Narayana rolls back with (the H2 run of bin/test failed on this once).
        SQLException h2 = new SQLException("IO Exception: \"java.io.EOFException\" [90028-240]", "90028", 90028, new EOFException());
        XAException xa = new XAException("Error trying to transactionCommit local transaction");
        xa.addSuppressed(h2);
        RuntimeException commit = new RuntimeException("ARJUNA016053: Could not commit transaction.", xa);
        assertTrue(DatabaseOutage.is(commit));
    }

    @Test
    void aStatementTheDatabaseRejectedIsNotAnOutage() {
        SQLException syntax = new SQLException("Syntax error in SQL statement", "42001", 42001);
        assertFalse(DatabaseOutage.is(new RuntimeException("could not prepare statement", syntax)));
    }

    @Test
    void aBatchCutByTheOutageIsAnOutage() {
        // H2's batch failure keeps the statement's I/O error only as its next exception (no cause): the device lane's
        // batched twin write must still hold its changes rather than retry them one by one.
        java.sql.BatchUpdateException batch = new java.sql.BatchUpdateException("batch failed", "21S02", 0, new int[0]);
        batch.setNextException(new SQLException("IO Exception: \"java.io.EOFException\" [90028-240]", "90028", 90028, new EOFException()));
        assertTrue(DatabaseOutage.is(new RuntimeException("could not execute batch", batch)));
    }
}
