package org.ocfcloudbridge.bench;

/**
 * CPU seconds the daemon, the receiver and this load process used over a phase (Linux /proc), so that a bench shows
 * which of the three was busy: a phase where the receiver or the load process is near a full core measures the bench.
 */
final class Cpu {

    private final long[] pids;
    private final long[] before;
    private long wallBefore;

    Cpu(long daemonPid, long receiverPid) {
        this.pids = new long[]{daemonPid, receiverPid, ProcessHandle.current().pid()};
        this.before = new long[pids.length];
    }

    void mark() {
        for (int i = 0; i < pids.length; i++) {
            before[i] = ReceiverControl.cpuMillis(pids[i]);
        }
        wallBefore = System.nanoTime();
    }

    /** "daemon X s, receiver Y s, load Z s of W s" since {@link #mark()}. */
    String since() {
        String[] names = {"daemon", "receiver", "load"};
        StringBuilder b = new StringBuilder();
        for (int i = 0; i < pids.length; i++) {
            long now = ReceiverControl.cpuMillis(pids[i]);
            b.append(i == 0 ? "" : ", ").append(names[i]).append(' ')
                    .append(now < 0 || before[i] < 0 ? "?" : String.format("%.1f", (now - before[i]) / 1000.0)).append(" s");
        }
        return b.append(String.format(" of %.1f s wall", (System.nanoTime() - wallBefore) / 1e9)).toString();
    }
}
