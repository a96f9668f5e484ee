package org.ocfcloudbridge.ops;

import org.jboss.logging.Logger;

import java.sql.SQLException;
import java.sql.SQLNonTransientConnectionException;
import java.sql.SQLRecoverableException;
import java.sql.SQLTransientConnectionException;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * Tells "the database cannot be reached" (no connection to be had, or the one in use broke) from every other failure,
 * and keeps background work that keeps trying while it is away to one line when it starts failing and one when it
 * works again, instead of a stack trace per run.
 */
public final class DatabaseOutage {

    /** What an operator reads; the driver's text is at DEBUG. */
    public static final String REASON = "the database is unreachable";

    /**
     * What drivers and the pool say when no connection is to be had; the pool's failure to enlist a pooled connection
     * that broke meanwhile keeps no cause (with one datasource, that is what it means).
     */
    static final java.util.List<String> TEXTS = java.util.List.of("acquisition timeout", "connection is broken",
            "connection refused", "this connection has been closed", "exception in association of connection",
            "failed to enlist", "an i/o error occurred while sending", "database is already closed", "the database has been closed",
            "terminating connection due to administrator command", "the database system is starting up",
            "the database system is shutting down", "unable to acquire jdbc connection",
            "the connection attempt failed", "refused. check that the hostname and port are correct");

    private DatabaseOutage() {
    }

    /**
     * {@code e}, its causes and the exceptions suppressed along the way, each once, in that order: a transaction
     * manager whose commit failed keeps the driver's failure as a suppressed exception of its own, not as the cause.
     */
    public static java.util.List<Throwable> related(Throwable e) {
        java.util.List<Throwable> out = new java.util.ArrayList<>();
        java.util.Set<Throwable> seen = java.util.Collections.newSetFromMap(new java.util.IdentityHashMap<>());
        java.util.ArrayDeque<Throwable> todo = new java.util.ArrayDeque<>();
        if (e != null) {
            todo.add(e);
        }
        // Bounded: a chain of exceptions is short; a pathological one (or a cycle) is cut rather than walked forever.
        while (!todo.isEmpty() && out.size() < 64) {
            Throwable t = todo.poll();
            if (!seen.add(t)) {
                continue;
            }
            out.add(t);
            if (t.getCause() != null) {
                todo.add(t.getCause());
            }
            java.util.Collections.addAll(todo, t.getSuppressed());
            // A batch's failure: H2 keeps the driver's error (an I/O error of a broken connection) only as the next
            // exception, not as the cause.
            if (t instanceof SQLException s && s.getNextException() != null) {
                todo.add(s.getNextException());
            }
        }
        return out;
    }

    /** Whether {@code e} (or a cause of it, or one it suppressed) says that no connection to the database could be had or kept. */
    public static boolean is(Throwable e) {
        for (Throwable t : related(e)) {
            if (t instanceof SQLTransientConnectionException || t instanceof SQLNonTransientConnectionException
                    || t instanceof SQLRecoverableException || t instanceof org.hibernate.exception.JDBCConnectionException) {
                return true;
            }
            // The connection's stream ended or broke under a statement or a commit: H2 reports it as a plain
            // SQLException (90028 "IO Exception") with the EOFException as its cause, no connection state.
            if (t instanceof java.io.EOFException || t instanceof java.net.SocketException) {
                return true;
            }
            if (t instanceof SQLException s) {
                String state = s.getSQLState();
                String message = String.valueOf(s.getMessage()).toLowerCase(java.util.Locale.ROOT);
                // 08: connection exception (SQL standard); 57P01-03: PostgreSQL shutting down or not yet accepting;
                // the pool's own acquisition timeout has no state.
                if (state != null && (state.startsWith("08") || state.startsWith("57P0"))) {
                    return true;
                }
                if (TEXTS.stream().anyMatch(message::contains)) {
                    return true;
                }
            }
        }
        return false;
    }

    /**
     * Whether {@code e} says the persistence unit is closed (Hibernate's own words; a closed session is a bug, not this): the daemon is stopping, or a failed start (the gateway
     * starts after the background jobs and may fail to bind) closed it under them. That is the stop, not a failure worth
     * a warning.
     */
    public static boolean closed(Throwable e) {
        for (Throwable t : related(e)) {
            if (t instanceof IllegalStateException && t.getMessage() != null
                    && t.getMessage().contains("EntityManagerFactory is closed")) {
                return true;
            }
        }
        return false;
    }

    /**
     * Whether {@code e} is the database refusing a value it was given (SQLState class 22, "data exception": a NUL in a
     * text, a string longer than its column, a number out of range): the caller's input, not a fault of ours.
     */
    public static boolean refusedValue(Throwable e) {
        for (Throwable t : related(e)) {
            if (t instanceof SQLException s && s.getSQLState() != null && s.getSQLState().startsWith("22")) {
                return true;
            }
        }
        return false;
    }

    /** A short reason for a log line: {@link #REASON} for an outage, else the failure's own message. */
    public static String reason(Throwable e) {
        return is(e) ? REASON : String.valueOf(e.getMessage());
    }

    /**
     * One background job's failures: the first one of a run of failures is a WARN line, the others DEBUG, and the first
     * success after them an INFO line.
     */
    public static final class Job {
        private final Logger log;
        private final String what;
        private final AtomicBoolean failing = new AtomicBoolean();

        public Job(Logger log, String what) {
            this.log = log;
            this.what = what;
        }

        public void failed(RuntimeException e) {
            if (closed(e)) {
                log.debugf("%s: stopping (%s)", what, e.getMessage());
                return;
            }
            if (failing.compareAndSet(false, true)) {
                log.warnf("%s failed (%s); tried again at each run, and said here when it works again", what, reason(e));
            } else {
                log.debugf("%s failed again: %s", what, e.getMessage());
            }
        }

        public void worked() {
            if (failing.compareAndSet(true, false)) {
                log.infof("%s works again", what);
            }
        }

        public boolean failing() {
            return failing.get();
        }
    }
}
