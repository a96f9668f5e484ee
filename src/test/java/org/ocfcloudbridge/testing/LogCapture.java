package org.ocfcloudbridge.testing;

import org.jboss.logmanager.ExtHandler;
import org.jboss.logmanager.ExtLogRecord;
import org.jboss.logmanager.Logger;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.logging.Level;

/** Every log line the daemon writes while open (at the configured levels), with its MDC and exception chain. */
public final class LogCapture implements AutoCloseable {

    private final Logger root = Logger.getLogger("");
    private final List<String> lines = new CopyOnWriteArrayList<>();
    private final List<Entry> entries = new CopyOnWriteArrayList<>();

    /**
     * One log record: its level, logger, formatted message, the whole line (message and the thrown exception's text)
     * and whether it carries a stack trace.
     */
    public record Entry(Level level, String logger, String message, String line, boolean thrown) {
        public boolean stackTrace() {
            return thrown;
        }

        @Override
        public String toString() {
            // With a stack trace, the exception chain too: a CI log then says which failure it was.
            return level + " [" + logger + "] " + message + (thrown ? " (with a stack trace:" + line.substring(line.indexOf(message) + message.length()) + ")" : "");
        }
    }
    private final ExtHandler handler = new ExtHandler() {
        @Override
        protected void doPublish(ExtLogRecord record) {
            record.copyAll();
            StringBuilder b = new StringBuilder(record.getLoggerName()).append(' ').append(record.getFormattedMessage())
                    .append(' ').append(record.getMdcCopy());
            for (Throwable t = record.getThrown(); t != null; t = t.getCause() == t ? null : t.getCause()) {
                b.append(' ').append(t);
                for (Throwable s : t.getSuppressed()) {
                    b.append(" [suppressed: ").append(s).append(']');
                }
            }
            lines.add(b.toString());
            entries.add(new Entry(record.getLevel(), record.getLoggerName(), record.getFormattedMessage(), b.toString(),
                    record.getThrown() != null));
        }
    };

    public LogCapture() {
        handler.setLevel(Level.ALL);
        root.addHandler(handler);
    }

    public List<String> lines() {
        return lines;
    }

    /** The lines at {@code min} or above, with their levels. */
    public List<Entry> atLeast(Level min) {
        return entries.stream().filter(e -> e.level().intValue() >= min.intValue()).toList();
    }

    /** Every record so far, in order. */
    public List<Entry> entries() {
        return entries;
    }

    /** Fails if any captured line contains any of the secrets. */
    public void assertNoneContains(String... secrets) {
        for (String line : lines) {
            for (String s : secrets) {
                if (s != null && !s.isEmpty() && line.contains(s)) {
                    throw new AssertionError("a secret reached the log: " + line);
                }
            }
        }
    }

    @Override
    public void close() {
        root.removeHandler(handler);
    }
}
