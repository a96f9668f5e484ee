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
        Quarkus.run(Daemon.class, BridgeMain::exit, args);
    }

    /**
     * Hibernate logs version banners while Quarkus boots, before the configured log levels apply; when start-up then
     * fails, Quarkus prints them raw above our one-line reason. The configured levels replace this once logging is set up.
     */
    private static void quietStaticInit() {
        java.util.logging.Logger.getLogger("org.hibernate").setLevel(java.util.logging.Level.WARNING);
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
