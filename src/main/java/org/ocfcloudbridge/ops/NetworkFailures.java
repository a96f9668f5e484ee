package org.ocfcloudbridge.ops;

import javax.net.ssl.SSLException;
import java.net.ConnectException;
import java.net.NoRouteToHostException;
import java.net.SocketTimeoutException;
import java.net.UnknownHostException;
import java.nio.channels.ClosedChannelException;
import java.util.Locale;
import java.util.concurrent.TimeoutException;

/**
 * Says in words what went wrong with a call to another server, for reasons that reach API callers and logs: what
 * happened, never the Java exception class or a stack trace ({@code AnnotatedConnectException} tells a caller nothing).
 */
public final class NetworkFailures {

    private NetworkFailures() {
    }

    /** The failure itself, not the {@code CompletionException} a completion stage wrapped it in. */
    public static Throwable unwrapped(Throwable failure) {
        return failure instanceof java.util.concurrent.CompletionException c && c.getCause() != null ? c.getCause() : failure;
    }

    /** E.g. "127.0.0.1:8443 refused the connection"; {@code peer} is the host (and port) called. */
    public static String describe(Throwable failure, String peer) {
        for (Throwable t = failure; t != null; t = t.getCause() == t ? null : t.getCause()) {
            String name = t.getClass().getSimpleName().toLowerCase(Locale.ROOT);
            String message = t.getMessage() == null ? "" : t.getMessage().toLowerCase(Locale.ROOT);
            if (t instanceof UnknownHostException) {
                return "the name of " + peer + " could not be resolved";
            }
            if (t instanceof NoRouteToHostException) {
                return peer + " cannot be reached (no route)";
            }
            // A stream reset is ours: the exchange's deadline passed.
            if (t instanceof SocketTimeoutException || t instanceof TimeoutException || name.contains("timeout") || name.contains("streamreset")
                    || message.contains("timed out") || message.contains("timeout")) {
                return peer + " did not answer in time";
            }
            if (t instanceof ConnectException || message.contains("connection refused")) {
                return peer + " refused the connection";
            }
            if (t instanceof SSLException) {
                return "the TLS handshake with " + peer + " failed (its certificate is not trusted, or it does not speak TLS)";
            }
            if (t instanceof ClosedChannelException || name.contains("closed") || message.contains("connection reset")
                    || message.contains("connection was closed")) {
                return peer + " closed the connection before it answered";
            }
        }
        return "no answer from " + peer;
    }
}
