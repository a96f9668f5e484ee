package org.ocfcloudbridge.bench;

/** The bench clients' {@code main}: run, then exit, so that a failure never leaves a bench waiting on Vert.x's or Californium's threads. */
final class BenchMain {

    /** A client's work. */
    @FunctionalInterface
    interface Work {
        void run() throws Exception;
    }

    private BenchMain() {
    }

    /** Runs {@code work} and exits: 0 when it returned, 1 (with the stack trace) when it threw. */
    static void exitAfter(Work work) {
        try {
            work.run();
        } catch (Throwable e) {
            e.printStackTrace();
            System.exit(1);
        }
        System.exit(0);
    }
}
