package org.ocfcloudbridge.fuzz;

import org.jboss.logmanager.ExtHandler;
import org.jboss.logmanager.ExtLogRecord;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Random;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.IntFunction;
import java.util.function.Supplier;
import java.util.logging.Level;

/**
 * Runs generated cases against one entry point of the daemon and checks the property every entry point shares: each
 * case is answered with a 4xx (4.xx) or a closed connection, or accepted where the generator says it may be; never a
 * 5xx, a hang or a stack trace in the log; the daemon is still ready afterwards, and what it stores changed by no more
 * than the accepted cases account for (by nothing when none was accepted).
 * <p>
 * {@code -Dfuzz.cases=N} sets the cases per entry point (10,000 by default; bench/fuzz.sh runs 100,000) and
 * {@code -Dfuzz.seed=S} replays a run. Each case has an id, {@code w<worker>#<number>}: a worker generates its cases
 * from its own seeded random source, so {@code -Dfuzz.seed=S -Dfuzz.only=w1#517} generates the same cases again and
 * sends only that one. A failure names the seed, the case's id and the case itself; a stack trace in the log names the
 * cases in flight when it was logged. Each run prints one {@code FUZZ} line and appends it to
 * {@code target/fuzz-results.txt}.
 * <p>
 * While the cases run, the daemon's own DEBUG lines are off (the test profile turns them on): a line or two per case
 * written to the console and kept in memory, which slowed the run without telling the property anything, since the
 * property is about WARN, ERROR and stack traces, what a production log (INFO) shows.
 */
public final class Fuzz {

    public static final int CASES = Integer.getInteger("fuzz.cases", 10_000);
    public static final long SEED = Long.getLong("fuzz.seed", System.nanoTime());
    /** One case to replay ({@code w1#517}), or null for a whole run. */
    public static final String ONLY = System.getProperty("fuzz.only");
    private static final int SHOWN = 5;
    private static final ThreadLocal<String> WORKER = new ThreadLocal<>();

    private Fuzz() {
    }

    /** Where a worker reports each case. */
    public static final class Tally {
        final AtomicInteger done = new AtomicInteger();
        final AtomicInteger accepted = new AtomicInteger();
        final AtomicInteger closed = new AtomicInteger();
        final AtomicLong failures = new AtomicLong();
        final List<String> shown = Collections.synchronizedList(new ArrayList<>());
        /** Per worker, what it is sending now: named when a stack trace shows up in the log. */
        final Map<String, String> inFlight = new ConcurrentHashMap<>();
        private final ThreadLocal<int[]> numbers = ThreadLocal.withInitial(() -> new int[1]);

        /** The next case's id on this worker: {@code w<worker>#<number>}. */
        public String next() {
            return WORKER.get() + "#" + numbers.get()[0]++;
        }

        /** True when a replay of one case ({@code -Dfuzz.only}) leaves this one out: generated, not sent. */
        public boolean skip(String id) {
            return ONLY != null && !ONLY.equals(id);
        }

        /** What this worker is sending now (a case's id and bytes, or a batch's ids). */
        public void sending(String what) {
            inFlight.put(WORKER.get(), what.length() > 300 ? what.substring(0, 300) + "…" : what);
        }

        public void refused() {
            done.incrementAndGet();
        }

        public void closed() {
            closed.incrementAndGet();
            done.incrementAndGet();
        }

        public void accepted() {
            accepted.incrementAndGet();
            done.incrementAndGet();
        }

        public void failed(String what) {
            done.incrementAndGet();
            fail(what);
        }

        void fail(String what) {
            failures.incrementAndGet();
            if (shown.size() < SHOWN) {
                shown.add(what.length() > 2000 ? what.substring(0, 2000) + "…" : what);
            }
        }
    }

    /** One connection's worth of cases: generates {@code n} from {@code random}, sends them and reports each. */
    public interface Worker extends AutoCloseable {
        void run(Random random, int n, Tally tally) throws IOException;

        @Override
        default void close() {
        }
    }

    public record Result(String entry, int cases, double seconds, int accepted, int closed, long failures, List<String> shown) {
        public double perSecond() {
            return cases / seconds;
        }
    }

    /**
     * Runs {@link #CASES} cases on {@code workers} connections in batches of {@code batch}, then checks readiness, the
     * log and the snapshot. Throws an AssertionError naming the first failures.
     */
    public static Result run(String entry, String readyUrl, int workers, int batch, IntFunction<Worker> worker,
                             Supplier<Map<String, Long>> snapshot) throws Exception {
        Tally tally = new Tally();
        Map<String, Long> before = snapshot.get();
        int onlyWorker = ONLY == null ? -1 : Integer.parseInt(ONLY.substring(1, ONLY.indexOf('#')));
        AtomicInteger left = new AtomicInteger(ONLY == null ? CASES : Integer.parseInt(ONLY.substring(ONLY.indexOf('#') + 1)) + 1);
        int threads = Integer.getInteger("fuzz.workers", workers);
        long start = System.nanoTime();
        org.jboss.logmanager.Logger root = org.jboss.logmanager.Logger.getLogger("");
        org.jboss.logmanager.Logger ours = org.jboss.logmanager.Logger.getLogger("org.ocfcloudbridge");
        Level ourLevel = ours.getLevel();
        ExtHandler watch = new ExtHandler() {
            @Override
            protected void doPublish(ExtLogRecord record) {
                if (record.getThrown() == null && record.getLevel().intValue() < Level.SEVERE.intValue()) {
                    return;
                }
                StringBuilder b = new StringBuilder("log: ").append(record.getLevel()).append(' ').append(record.getLoggerName())
                        .append(' ').append(record.getFormattedMessage());
                for (Throwable t = record.getThrown(); t != null; t = t.getCause()) {
                    b.append(' ').append(t);
                }
                tally.fail(b.append(" — in flight then: ").append(tally.inFlight).toString());
            }
        };
        watch.setLevel(Level.WARNING);
        root.addHandler(watch);
        ours.setLevel(Level.INFO);
        try {
            ExecutorService pool = Executors.newFixedThreadPool(threads);
            try {
                List<Future<?>> runs = new ArrayList<>();
                for (int w = 0; w < threads; w++) {
                    if (onlyWorker >= 0 && w != onlyWorker) {
                        continue;
                    }
                    int index = w;
                    runs.add(pool.submit(() -> {
                        WORKER.set("w" + index);
                        Random random = new Random(SEED * 31 + index + entry.hashCode());
                        try (Worker wk = worker.apply(index)) {
                            int n;
                            while ((n = take(left, batch)) > 0) {
                                wk.run(random, n, tally);
                            }
                        }
                        return null;
                    }));
                }
                for (Future<?> f : runs) {
                    try {
                        f.get();
                    } catch (java.util.concurrent.ExecutionException e) {
                        tally.fail("worker stopped: " + e.getCause());
                    }
                }
            } finally {
                pool.shutdownNow();
            }
            double seconds = (System.nanoTime() - start) / 1e9;
            if (!ready(readyUrl)) {
                tally.fail("the daemon is not ready after the run");
            }
            Map<String, Long> after = snapshot.get();
            int accepted = tally.accepted.get();
            for (String k : before.keySet()) {
                long delta = Math.abs(Objects.requireNonNullElse(after.get(k), -1L) - before.get(k));
                if (delta > accepted) {
                    tally.fail("stored " + k + " moved by " + delta + " with " + accepted + " accepted cases: "
                            + before.get(k) + " -> " + after.get(k));
                }
            }
            Result r = new Result(entry, tally.done.get(), seconds, accepted, tally.closed.get(), tally.failures.get(),
                    List.copyOf(tally.shown));
            report(r);
            if (r.failures() > 0) {
                throw new AssertionError(entry + ": " + r.failures() + " failing cases (seed " + SEED + "; replay one with -Dfuzz.seed="
                        + SEED + " -Dfuzz.only=<case id>), first:\n  " + String.join("\n  ", r.shown()));
            }
            return r;
        } finally {
            ours.setLevel(ourLevel);
            root.removeHandler(watch);
        }
    }

    /** The cases a run must count: every case, or the one replayed. */
    public static int expectedCases() {
        return ONLY == null ? CASES : 1;
    }

    private static int take(AtomicInteger left, int batch) {
        while (true) {
            int l = left.get();
            if (l <= 0) {
                return 0;
            }
            int n = Math.min(l, batch);
            if (left.compareAndSet(l, l - n)) {
                return n;
            }
        }
    }

    private static final HttpClient HEALTH = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    static boolean ready(String url) throws InterruptedException {
        try {
            return HEALTH.send(HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(10)).build(),
                    HttpResponse.BodyHandlers.discarding()).statusCode() == 200;
        } catch (IOException e) {
            return false;
        }
    }

    private static void report(Result r) {
        String line = String.format(java.util.Locale.ROOT, "FUZZ %-22s cases=%d seconds=%.1f per_second=%.0f accepted=%d closed=%d failures=%d seed=%d",
                r.entry(), r.cases(), r.seconds(), r.perSecond(), r.accepted(), r.closed(), r.failures(), SEED);
        System.out.println(line);
        try {
            Files.writeString(Path.of("target", "fuzz-results.txt"), line + "\n", StandardOpenOption.CREATE, StandardOpenOption.APPEND);
        } catch (IOException e) {
            // the line is on stdout too
        }
    }

    /** Rows per table: what a run's refused cases must leave as they were. */
    static Map<String, Long> rowCounts(javax.sql.DataSource db, String... tables) {
        Map<String, Long> m = new java.util.LinkedHashMap<>();
        try (java.sql.Connection c = db.getConnection(); java.sql.Statement s = c.createStatement()) {
            for (String t : tables) {
                try (java.sql.ResultSet rs = s.executeQuery("SELECT COUNT(*) FROM " + t)) {
                    rs.next();
                    m.put(t, rs.getLong(1));
                }
            }
        } catch (java.sql.SQLException e) {
            throw new IllegalStateException(e);
        }
        return m;
    }
}
