package org.ocfcloudbridge.testing;

import com.sun.net.httpserver.HttpServer;

import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.TimeUnit;

/** A client application's redirect endpoint on loopback: records the query of each redirect the browser follows. */
public final class CallbackServer implements AutoCloseable {

    private final HttpServer server;
    private final BlockingQueue<String> queries = new ArrayBlockingQueue<>(16);

    public CallbackServer() throws IOException {
        this(0);
    }

    public CallbackServer(int port) throws IOException {
        server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), 0);
        server.createContext("/callback", exchange -> {
            String q = exchange.getRequestURI().getRawQuery();
            queries.offer(q == null ? "" : q);
            byte[] body = "<html><body><p id=\"done\">Back at the application.</p></body></html>".getBytes(StandardCharsets.UTF_8);
            exchange.getResponseHeaders().add("Content-Type", "text/html; charset=utf-8");
            exchange.sendResponseHeaders(200, body.length);
            try (OutputStream out = exchange.getResponseBody()) {
                out.write(body);
            }
        });
        server.start();
    }

    public String redirectUri() {
        return "http://127.0.0.1:" + server.getAddress().getPort() + "/callback";
    }

    /** The next redirect's query parameters. */
    public Map<String, String> awaitRedirect(Duration timeout) throws InterruptedException {
        String q = queries.poll(timeout.toMillis(), TimeUnit.MILLISECONDS);
        if (q == null) {
            throw new AssertionError("the browser never came back to " + redirectUri());
        }
        return OAuthTestClient.query("http://x/?" + q);
    }

    @Override
    public void close() {
        server.stop(0);
    }
}
