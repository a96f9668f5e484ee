package org.ocfcloudbridge.target.coap;

import io.netty.channel.Channel;
import org.eclipse.californium.elements.config.Configuration;
import org.eclipse.californium.elements.tcp.netty.TcpServerConnector;
import org.eclipse.californium.elements.tcp.netty.TlsServerConnector;

import javax.net.ssl.SSLContext;
import java.net.InetSocketAddress;

/** Californium's TCP and TLS server connectors with our signalling handler and connection tracking added. */
final class GatewayConnectors {

    private GatewayConnectors() {
    }

    static void prepare(Channel ch, int maxMessageSize, DeviceSessions sessions) {
        // After TLS (added by the TLS connector), before Californium's framer (added after this call).
        ch.pipeline().addLast("ocf-signalling", new Signalling(maxMessageSize));
        sessions.opened(ch);
        // Californium reports nothing when a connection closes under a pending request: this is how we learn it.
        ch.closeFuture().addListener(f -> sessions.closed(ch));
    }

    static final class Tcp extends TcpServerConnector {
        private final int maxMessageSize;
        private final DeviceSessions sessions;

        Tcp(InetSocketAddress address, Configuration config, int maxMessageSize, DeviceSessions sessions) {
            super(address, config);
            this.maxMessageSize = maxMessageSize;
            this.sessions = sessions;
        }

        @Override
        protected void onNewChannelCreated(Channel ch) {
            super.onNewChannelCreated(ch);
            prepare(ch, maxMessageSize, sessions);
        }
    }

    static final class Tls extends TlsServerConnector {
        private final int maxMessageSize;
        private final DeviceSessions sessions;

        Tls(SSLContext ssl, InetSocketAddress address, Configuration config, int maxMessageSize, DeviceSessions sessions) {
            super(ssl, address, config);
            this.maxMessageSize = maxMessageSize;
            this.sessions = sessions;
        }

        @Override
        protected void onNewChannelCreated(Channel ch) {
            super.onNewChannelCreated(ch);
            prepare(ch, maxMessageSize, sessions);
        }
    }
}
