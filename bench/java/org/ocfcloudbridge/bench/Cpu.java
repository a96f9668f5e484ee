package org.ocfcloudbridge.bench;

import java.util.Arrays;

/**
 * CPU seconds the daemon (or each of several instances), the receiver and this load process used over a phase (Linux
 * /proc), so that a bench shows which of them was busy: a phase where the receiver or the load process is near a full
 * core measures the bench. A phase runs from {@link #mark()} to {@link #stop()} (or to {@link #since()}).
 */
final class Cpu {

    /** The daemons' pids first, then the receiver's and this process's. */
    private final long[] pids;
    private final int daemons;
    private final long[] before;
    private final long[] after;
    private final long[] jitBefore;
    private final long[] jitAfter;
    private long wallBefore;
    private long wallAfter;
    /**
     * A database server's pid (PostgreSQL's postmaster: -Dbench.database.pid), whose processes' CPU is the database's
     * share of the work; 0 with the embedded H2, whose work is the daemon's own.
     */
    private final long databasePid = Long.getLong("bench.database.pid", 0);
    private long databaseBefore;
    private long databaseAfter;

    Cpu(long daemonPid, long receiverPid) {
        this(new long[]{daemonPid}, receiverPid);
    }

    /** Several daemons (the instances of a cluster), whose CPU is also reported as a sum. */
    Cpu(long[] daemonPids, long receiverPid) {
        this.daemons = daemonPids.length;
        this.pids = Arrays.copyOf(daemonPids, daemons + 2);
        pids[daemons] = receiverPid;
        pids[daemons + 1] = ProcessHandle.current().pid();
        this.before = new long[pids.length];
        this.after = new long[pids.length];
        this.jitBefore = new long[daemons];
        this.jitAfter = new long[daemons];
    }

    void mark() {
        databaseBefore = treeMillis(databasePid);
        read(before);
        readJit(jitBefore);
        wallBefore = System.nanoTime();
    }

    /** Ends the phase now (a bench that stops it at the last arrival leaves the quiet after it out). */
    void stop() {
        databaseAfter = treeMillis(databasePid);
        read(after);
        readJit(jitAfter);
        wallAfter = System.nanoTime();
    }

    /** Ends the phase now and describes it ({@link #describe()}). */
    String since() {
        stop();
        return describe();
    }

    /**
     * "daemon X s, receiver Y s, load Z s of W s" for the phase; with several daemons "daemons X s (a + b + c), ...".
     */
    String describe() {
        StringBuilder b = new StringBuilder(daemons == 1 ? "daemon " : "daemons ").append(seconds(daemonMillis())).append(" s");
        if (daemons > 1) {
            b.append(" (");
            for (int i = 0; i < daemons; i++) {
                b.append(i == 0 ? "" : " + ").append(seconds(millis(i)));
            }
            b.append(')');
        }
        long jit = jitMillis();
        if (jit > 0) {
            b.append(daemons == 1 ? " (of which its JIT compiler " : " (of which their JIT compilers ").append(seconds(jit)).append(" s)");
        }
        if (databasePid > 0) {
            b.append(", database ").append(seconds(databaseMillis())).append(" s");
        }
        b.append(", receiver ").append(seconds(millis(daemons))).append(" s, load ").append(seconds(millis(daemons + 1))).append(" s");
        return b.append(String.format(" of %.1f s wall", (wallAfter - wallBefore) / 1e9)).toString();
    }

    /** CPU milliseconds of all the daemons in the phase; -1 when /proc did not tell for one of them. */
    long daemonMillis() {
        long sum = 0;
        for (int i = 0; i < daemons; i++) {
            if (millis(i) < 0) {
                return -1;
            }
            sum += millis(i);
        }
        return sum;
    }

    /** CPU milliseconds of the daemons' JIT compiler threads in the phase; -1 when unknown. */
    long jitMillis() {
        long sum = 0;
        for (int i = 0; i < daemons; i++) {
            if (jitBefore[i] < 0 || jitAfter[i] < 0) {
                return -1;
            }
            sum += jitAfter[i] - jitBefore[i];
        }
        return sum;
    }

    /** CPU milliseconds of the database server's processes in the phase; -1 when there is none or /proc did not tell. */
    long databaseMillis() {
        return databasePid <= 0 || databaseBefore < 0 || databaseAfter < 0 ? -1 : databaseAfter - databaseBefore;
    }

    /** A process's CPU and its live descendants' (PostgreSQL: a process per connection, kept by the daemon's pool). */
    private static long treeMillis(long pid) {
        if (pid <= 0) {
            return -1;
        }
        long sum = ReceiverControl.cpuMillis(pid);
        if (sum < 0) {
            return -1;
        }
        for (ProcessHandle p : ProcessHandle.of(pid).map(h -> h.descendants().toList()).orElse(java.util.List.of())) {
            sum += Math.max(0, ReceiverControl.cpuMillis(p.pid()));
        }
        return sum;
    }

    /** CPU milliseconds of the receiver in the phase; -1 when unknown. */
    long receiverMillis() {
        return millis(daemons);
    }

    /** Wall-clock milliseconds of the phase. */
    double wallMillis() {
        return (wallAfter - wallBefore) / 1e6;
    }

    private long millis(int i) {
        return before[i] < 0 || after[i] < 0 ? -1 : after[i] - before[i];
    }

    private void read(long[] into) {
        for (int i = 0; i < pids.length; i++) {
            into[i] = ReceiverControl.cpuMillis(pids[i]);
        }
    }

    private void readJit(long[] into) {
        for (int i = 0; i < daemons; i++) {
            into[i] = ReceiverControl.compilerMillis(pids[i]);
        }
    }

    private static String seconds(long millis) {
        return millis < 0 ? "?" : String.format("%.1f", millis / 1000.0);
    }
}
