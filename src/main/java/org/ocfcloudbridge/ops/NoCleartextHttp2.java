package org.ocfcloudbridge.ops;

import io.quarkus.vertx.http.HttpServerOptionsCustomizer;
import io.vertx.core.http.HttpServerOptions;
import jakarta.enterprise.context.ApplicationScoped;

/**
 * No HTTP/2 over plain TCP (h2c), neither by Upgrade nor by prior knowledge. A first request on a connection that
 * carried {@code Upgrade: h2c} without {@code Connection: Upgrade} and {@code HTTP2-Settings} was never answered and the
 * connection never closed: the server's upgrade handler waited for an upgrade that could not happen, and held the
 * connection, its later requests and a socket for as long as the client stayed (found by HttpEntryPointsFuzzTest).
 * Nothing here speaks h2c: clients use HTTP/1.1, or HTTP/2 over TLS where TLS is set up, which this leaves alone.
 */
@ApplicationScoped
public class NoCleartextHttp2 implements HttpServerOptionsCustomizer {

    @Override
    public void customizeHttpServer(HttpServerOptions options) {
        options.setHttp2ClearTextEnabled(false);
    }
}
