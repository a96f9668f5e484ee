package org.ocfcloudbridge.ops;

import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.PoolOptions;
import io.vertx.core.http.RequestOptions;
import io.vertx.core.net.PemTrustOptions;
import io.vertx.core.net.SocketAddress;
import jakarta.annotation.PreDestroy;
import jakarta.enterprise.context.ApplicationScoped;
import org.ocfcloudbridge.ocf.Protocol.Headers;

import java.io.ByteArrayInputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.cert.CertificateException;
import java.security.cert.CertificateFactory;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * Outbound HTTP of both roles (calls into Target Clouds, notifications to subscribers, vendor webhooks), non-blocking
 * and pooled: one Vert.x client per trust setting, so a cloud with its own {@code trustedCa} is checked against exactly
 * those certificates and every other peer against the JVM's trust store. Non-blocking matters beyond speed: a proxied
 * call into a Target that is this very daemon must not hold one of the worker threads the Target needs to answer it.
 */
@ApplicationScoped
public class OutboundHttp {

    /** Idle pooled connections are closed well before a server's own idle timeout, so none is reused as it closes. */
    private static final int KEEP_ALIVE_SECONDS = 20;
    private static final int POOL_SIZE = 64;
    /** Requests waiting for a pooled connection beyond this fail at once instead of piling up in memory. */
    private static final int MAX_WAITING = 4096;
    private static final Duration CONNECT_TIMEOUT = Duration.ofSeconds(10);
    /** Answers are read whole; a peer announcing more than this is cut off (devices' representations are small). */
    private static final long MAX_BODY = 16L * 1024 * 1024;
    public static final Duration TIMEOUT = Duration.ofSeconds(15);

    public record Reply(int status, String contentType, byte[] body, String retryAfter) {
    }

    /** The cloud could not be reached, or did not answer in time. */
    public static class Unreachable extends RuntimeException {
        public Unreachable(String message) {
            super(message, null, false, false);
        }
    }

    /** The outbound address policy refused the URL: nothing was sent. The message names the host and the rule. */
    public static final class Refused extends Unreachable {
        public Refused(String message) {
            super(message);
        }
    }

    private final Vertx vertx;
    private final OutboundPolicy policy;
    private final Map<String, HttpClient> clients = new ConcurrentHashMap<>();

    public OutboundHttp(Vertx vertx, OutboundPolicy policy) {
        this.vertx = vertx;
        this.policy = policy;
    }

    /**
     * Sends one request; the stage fails with {@link Unreachable} when no answer comes, with {@link Refused} when the
     * outbound address policy refuses the URL. {@code trustedCa} is PEM text or a path to a PEM file, {@code null} for
     * the JVM's trust store.
     */
    public CompletionStage<Reply> send(String trustedCa, String method, String url, Map<String, String> headers, byte[] body) {
        return send(trustedCa, method, url, headers, body, TIMEOUT);
    }

    /** {@link #send} waiting at most {@code timeout} without a byte from the peer. */
    public CompletionStage<Reply> send(String trustedCa, String method, String url, Map<String, String> headers, byte[] body,
                                       Duration timeout) {
        RequestOptions o;
        try {
            // Connect timeout here bounds the wait for a pooled connection too; the idle timeout a silent peer.
            o = new RequestOptions().setMethod(HttpMethod.valueOf(method)).setAbsoluteURI(url)
                    .setConnectTimeout(Math.min(timeout.toMillis(), CONNECT_TIMEOUT.toMillis()))
                    .setIdleTimeout(timeout.toMillis()).setFollowRedirects(false);
        } catch (RuntimeException e) {
            return CompletableFuture.failedFuture(new Unreachable("unusable URL"));
        }
        headers.forEach((k, v) -> {
            if (v != null) {
                o.putHeader(k, v);
            }
        });
        HttpClient client;
        try {
            client = client(trustedCa);
        } catch (IllegalArgumentException e) {
            return CompletableFuture.failedFuture(new Unreachable(e.getMessage()));
        }
        // The policy resolves the host and judges the address; the connection goes to that very address (the URL's
        // host still names the peer for Host, SNI and certificate checks), so no second lookup can answer otherwise.
        return policy.destination(url).thenCompose(address -> {
            int port = o.getPort() != null ? o.getPort() : Boolean.TRUE.equals(o.isSsl()) ? 443 : 80;
            o.setServer(SocketAddress.inetSocketAddress(new InetSocketAddress(address, port)));
            return exchange(client, o, url, body, timeout);
        }).exceptionallyCompose(e -> {
            Throwable cause = e instanceof CompletionException && e.getCause() != null ? e.getCause() : e;
            return CompletableFuture.failedFuture(cause instanceof OutboundPolicy.Refused r
                    ? new Refused(hostOf(url) + " " + r.getMessage()) : cause);
        });
    }

    private CompletionStage<Reply> exchange(HttpClient client, RequestOptions o, String url, byte[] body, Duration timeout) {
        return client.request(o)
                .compose(req -> {
                    // A peer trickling bytes never trips the idle timeout: the whole exchange has a deadline as well.
                    long deadline = vertx.setTimer(timeout.toMillis(), t -> req.reset());
                    return (body == null ? req.send() : req.send(Buffer.buffer(body)))
                            .compose(resp -> {
                                // A reset of ours (deadline, size) fails the body's future, which the caller gets;
                                // without a handler Vert.x would also log it as an error.
                                resp.exceptionHandler(e -> { });
                                String length = resp.getHeader("Content-Length");
                                if (length != null && length.matches("\\d{1,18}") && Long.parseLong(length) > MAX_BODY) {
                                    req.reset();
                                    return io.vertx.core.Future.failedFuture(new Unreachable("answer from " + hostOf(url)
                                            + " larger than " + MAX_BODY + " bytes"));
                                }
                                return resp.body().map(b -> new Reply(resp.statusCode(), resp.getHeader(Headers.CONTENT_TYPE),
                                        b.getBytes(), resp.getHeader(Headers.RETRY_AFTER)));
                            })
                            .onComplete(done -> vertx.cancelTimer(deadline));
                })
                .toCompletionStage()
                .exceptionallyCompose(e -> CompletableFuture.failedFuture(e instanceof Unreachable ? e
                        : new Unreachable(NetworkFailures.describe(e, hostOf(url)))));
    }

    /** {@link #send} for callers on a worker thread (never on an event loop). */
    public Reply sendAndWait(String trustedCa, String method, String url, Map<String, String> headers, byte[] body) {
        return sendAndWait(trustedCa, method, url, headers, body, TIMEOUT);
    }

    /** {@link #sendAndWait} waiting at most {@code timeout} without a byte from the peer. */
    public Reply sendAndWait(String trustedCa, String method, String url, Map<String, String> headers, byte[] body,
                             Duration timeout) {
        try {
            return send(trustedCa, method, url, headers, body, timeout).toCompletableFuture()
                    .get(timeout.toMillis() + 5000, TimeUnit.MILLISECONDS);
        } catch (ExecutionException | CompletionException e) {
            throw e.getCause() instanceof Unreachable u ? u : new Unreachable("no answer from " + hostOf(url));
        } catch (TimeoutException e) {
            throw new Unreachable("no answer from " + hostOf(url) + " in time");
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new Unreachable("interrupted");
        }
    }

    /**
     * Checks a {@code trustedCa} value when a cloud is added, so a typo fails there and not at the first call.
     *
     * @throws IllegalArgumentException saying what is wrong
     */
    public static void checkTrustedCa(String trustedCa) {
        byte[] pem = pem(trustedCa);
        try {
            if (CertificateFactory.getInstance("X.509").generateCertificates(new ByteArrayInputStream(pem)).isEmpty()) {
                throw new IllegalArgumentException("trustedCa holds no certificate");
            }
        } catch (CertificateException e) {
            throw new IllegalArgumentException("trustedCa is not PEM certificates");
        }
    }

    private HttpClient client(String trustedCa) {
        String key = trustedCa == null || trustedCa.isBlank() ? "" : trustedCa;
        return clients.computeIfAbsent(key, k -> {
            HttpClientOptions options = new HttpClientOptions().setKeepAlive(true).setKeepAliveTimeout(KEEP_ALIVE_SECONDS)
                    .setConnectTimeout((int) CONNECT_TIMEOUT.toMillis()).setVerifyHost(true);
            if (!k.isEmpty()) {
                options.setTrustOptions(new PemTrustOptions().addCertValue(Buffer.buffer(pem(k))));
            }
            return vertx.createHttpClient(options, new PoolOptions().setHttp1MaxSize(POOL_SIZE).setMaxWaitQueueSize(MAX_WAITING));
        });
    }

    private static byte[] pem(String trustedCa) {
        if (trustedCa.contains("-----BEGIN")) {
            return trustedCa.getBytes(StandardCharsets.US_ASCII);
        }
        try {
            return Files.readAllBytes(Path.of(trustedCa));
        } catch (Exception e) {
            throw new IllegalArgumentException("trustedCa is neither PEM text nor a readable file");
        }
    }

    private static String hostOf(String url) {
        try {
            String host = java.net.URI.create(url).getHost();
            return host == null ? "the URL" : host;
        } catch (IllegalArgumentException e) {
            return "the URL";
        }
    }

    @PreDestroy
    void close() {
        clients.values().forEach(HttpClient::close);
    }
}
