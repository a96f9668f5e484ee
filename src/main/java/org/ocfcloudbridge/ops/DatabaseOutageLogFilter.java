package org.ocfcloudbridge.ops;

import io.quarkus.runtime.StartupEvent;
import jakarta.annotation.Priority;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;

import java.util.List;
import java.util.Locale;
import java.util.concurrent.TimeUnit;
import java.util.logging.Filter;
import java.util.logging.LogRecord;
import java.util.logging.Logger;

/**
 * While the database cannot be reached, the pool, the transaction manager and Hibernate each log every failed
 * attempt, several of them with a stack trace: hundreds of lines a minute that say one thing. The daemon's own code
 * says it once ({@link DatabaseOutage}); their records of it are dropped here. Everything else they log stays.
 */
@ApplicationScoped
public class DatabaseOutageLogFilter {

    static final List<String> LOGGERS = List.of("io.agroal.pool", "com.arjuna.ats.jta", "com.arjuna.ats.arjuna",
            "org.hibernate.orm.jdbc.error", "org.hibernate.engine.jdbc.spi.SqlExceptionHelper");

    /** How long after a sign of an outage an enlistment failure of the transaction manager is taken for part of it. */
    private static final long RECENT_NANOS = TimeUnit.SECONDS.toNanos(10);

    /** Hibernate logs a failure's codes, then its message, on the same thread. */
    private final ThreadLocal<Boolean> dropNextOfHibernate = ThreadLocal.withInitial(() -> false);

    private volatile long lastSeen = System.nanoTime() - 2 * RECENT_NANOS;

    void install(@Observes @Priority(1) StartupEvent event) {
        Filter filter = this::isLoggable;
        for (String name : LOGGERS) {
            Logger.getLogger(name).setFilter(filter);
        }
    }

    boolean isLoggable(LogRecord record) {
        if (record.getLoggerName() != null && record.getLoggerName().startsWith("org.hibernate") && dropNextOfHibernate.get()) {
            // The driver's own message for the failure whose code was just dropped, whatever its wording.
            dropNextOfHibernate.set(false);
            return false;
        }
        String message = String.valueOf(record instanceof org.jboss.logmanager.ExtLogRecord ext ? ext.getFormattedMessage()
                : record.getMessage()).toLowerCase(Locale.ROOT);
        if ((record.getThrown() != null && DatabaseOutage.is(record.getThrown())) || DatabaseOutage.TEXTS.stream().anyMatch(message::contains)) {
            lastSeen = System.nanoTime();
            return false;
        }
        boolean recent = System.nanoTime() - lastSeen < RECENT_NANOS;

        if (message.contains("hhh000247")) {
            // "ErrorCode: n, SQLState: s" before the message of the same failure: 08 is a connection exception, 57P0x
            // PostgreSQL going away, 90067/90098/90121 H2's broken or closed connection.
            int at = message.indexOf("sqlstate: ");
            String state = at < 0 ? "" : message.substring(at + 10).trim();
            if (state.startsWith("08") || state.startsWith("57p0") || state.equals("90067") || state.equals("90098")
                    || state.equals("90121") || (recent && (state.equals("null") || state.isEmpty()))) {
                lastSeen = System.nanoTime();
                dropNextOfHibernate.set(true);
                return false;
            }
            return true;
        }
        // The transaction manager's failed enlistment of a connection the pool could not give.
        return !(recent && (message.contains("xaer_rmerr") || message.contains("arjuna016138") || message.contains("arjuna016061")));
    }
}
