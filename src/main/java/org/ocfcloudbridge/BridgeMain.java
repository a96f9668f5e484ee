package org.ocfcloudbridge;

import io.quarkus.runtime.Quarkus;
import io.quarkus.runtime.QuarkusApplication;
import io.quarkus.runtime.annotations.QuarkusMain;
import org.ocfcloudbridge.config.StartupFailure;

/**
 * Entry point. It exists so that a daemon that cannot start says why in one line (the failing key, the database it
 * could not reach) instead of a wall of stack trace.
 */
@QuarkusMain
public class BridgeMain {

    public static void main(String... args) {
        quietStaticInit();
        stopOnSignals();
        Quarkus.run(Daemon.class, BridgeMain::exit, args);
    }

    /**
     * Hibernate logs version banners while Quarkus boots, before the configured log levels apply; when start-up then
     * fails, Quarkus prints them raw above our one-line reason. The configured levels replace this once logging is set up.
     */
    private static void quietStaticInit() {
        java.util.logging.Logger.getLogger("org.hibernate").setLevel(java.util.logging.Level.WARNING);
    }

    /**
     * SIGTERM and Ctrl-C (SIGINT) ask for the ordered stop (ops.StopOrder) and exit 0 when it is done: with the JVM's
     * own handling the stop would run in a shutdown hook, beside every other hook (H2's among them), and end with 143.
     * A second signal ends the process at once.
     */
    private static void stopOnSignals() {
        java.util.concurrent.atomic.AtomicBoolean stopping = new java.util.concurrent.atomic.AtomicBoolean();
        for (String name : new String[] {"TERM", "INT"}) {
            try {
                sun.misc.Signal.handle(new sun.misc.Signal(name), signal -> {
                    if (stopping.compareAndSet(false, true)) {
                        Quarkus.asyncExit(0);
                    } else {
                        Runtime.getRuntime().halt(128 + signal.getNumber());
                    }
                });
            } catch (IllegalArgumentException unsupported) {
                // This platform has no such signal (or the JVM keeps it): the JVM's default handling applies.
            }
        }
    }

    private static void exit(int code, Throwable failure) {
        if (failure != null) {
            System.err.println("ocf-cloud-bridge: cannot start: " + StartupFailure.describe(failure));
            System.err.flush();
            code = code == 0 ? 1 : code;
        }
        System.exit(code);
    }

    public static class Daemon implements QuarkusApplication {
        @Override
        public int run(String... args) {
            Quarkus.waitForExit();
            return 0;
        }
    }
}
