package org.ocfcloudbridge.targetcloud.coap;

import io.netty.handler.codec.DecoderException;
import io.netty.handler.ssl.NotSslRecordException;
import org.jboss.logging.Logger;

import javax.net.ssl.SSLException;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.security.GeneralSecurityException;

/**
 * One short WARN line per minute at most for gateway connections closed because their peer sent bytes that are not
 * TLS or failed the handshake; the rest at DEBUG. Left to Californium, each such connection logged about 4 KB with the
 * peer's bytes in hex, which anyone who can open a socket could use to fill the disk.
 */
final class BrokenConnections {

    private static final Logger LOG = Logger.getLogger(BrokenConnections.class);
    static final long WINDOW_NANOS = 60_000_000_000L;
    private static final int MAX_REASON = 80;

    private static long lastWarn = System.nanoTime() - WINDOW_NANOS;
    private static long quiet;

    private BrokenConnections() {
    }

    /** True when {@code cause} is the peer's fault (bad TLS, reset): the caller closes the connection and goes on. */
    static boolean handled(SocketAddress peer, Throwable cause) {
        Throwable t = cause instanceof DecoderException && cause.getCause() != null ? cause.getCause() : cause;
        String who = peer instanceof InetSocketAddress a ? a.getAddress().getHostAddress() : String.valueOf(peer);
        if (t instanceof SSLException || t instanceof GeneralSecurityException) {
            tlsRefused(who, reason(t));
            return true;
        }
        if (t instanceof IOException) {
            LOG.debugf("connection from %s broke: %s", who, reason(t));
            return true;
        }
        return false;
    }

    private static String reason(Throwable t) {
        if (t instanceof NotSslRecordException) {
            return "not a TLS record";
        }
        String m = t.getMessage();
        if (m == null) {
            return t.getClass().getSimpleName();
        }
        // JDK and netty messages may carry the peer's bytes after a colon: the first clause says enough.
        m = m.lines().findFirst().orElse("");
        return m.length() > MAX_REASON ? m.substring(0, MAX_REASON) + "…" : m;
    }

    private static void tlsRefused(String who, String reason) {
        long others;
        synchronized (BrokenConnections.class) {
            long now = System.nanoTime();
            if (now - lastWarn < WINDOW_NANOS) {
                quiet++;
                LOG.debugf("closed TLS connection from %s: %s", who, reason);
                return;
            }
            others = quiet;
            quiet = 0;
            lastWarn = now;
        }
        LOG.warnf("closed TLS connection from %s: %s (%d more such connections since the last line; next line in a minute at"
                + " the earliest)", who, reason, others);
    }
}
