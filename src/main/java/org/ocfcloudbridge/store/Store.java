package org.ocfcloudbridge.store;

import java.sql.SQLException;

/** Helpers for database outcomes that both H2 and PostgreSQL report the same way. */
public final class Store {

    /** SQLSTATE for a unique or primary key violation, in PostgreSQL and in H2 alike. */
    private static final String UNIQUE_VIOLATION = "23505";

    private Store() {
    }

    /**
     * Whether {@code e} was caused by an insert that lost a race for a unique key (also when the insert was flushed at
     * commit, where the transaction manager keeps the driver's failure as a suppressed exception).
     */
    public static boolean isUniqueViolation(Throwable e) {
        for (Throwable t : org.ocfcloudbridge.ops.DatabaseOutage.related(e)) {
            if (t instanceof SQLException sql && UNIQUE_VIOLATION.equals(sql.getSQLState())) {
                return true;
            }
        }
        return false;
    }
}
