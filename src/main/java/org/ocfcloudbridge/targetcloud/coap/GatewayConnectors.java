package org.ocfcloudbridge.targetcloud.coap;

import io.netty.channel.Channel;
import io.netty.handler.timeout.IdleStateHandler;
import org.eclipse.californium.elements.RawDataChannel;
import org.eclipse.californium.elements.config.Configuration;
import org.eclipse.californium.elements.tcp.netty.TcpServerConnector;
import org.eclipse.californium.elements.tcp.netty.TlsServerConnector;

import javax.net.ssl.SSLContext;
import java.net.InetSocketAddress;

/** Californium's TCP and TLS server connectors with our signalling handler and connection tracking added. */
final class GatewayConnectors {

    private GatewayConnectors() {
    }

    static void prepare(Channel ch, int maxMessageSize, int idleSeconds, DeviceSessions sessions) {
        // After TLS (added by the TLS connector), before Californium's framer (added after this call). The idle check
        // sits before our signalling handler so that Pings, which never reach Californium, count as traffic.
        ch.pipeline().addLast("ocf-idle", new IdleStateHandler(0, 0, idleSeconds));
        ch.pipeline().addLast("ocf-signalling", new Signalling(maxMessageSize));
        sessions.opened(ch);
        // Californium reports nothing when a connection closes under a pending request: this is how we learn it.
        ch.closeFuture().addListener(f -> sessions.closed(ch));
    }

    static final class Tcp extends TcpServerConnector {
        private final int maxMessageSize;
        private final int idleSeconds;
        private final DeviceSessions sessions;

        Tcp(InetSocketAddress address, Configuration config, int maxMessageSize, int idleSeconds, DeviceSessions sessions) {
            super(address, config);
            this.maxMessageSize = maxMessageSize;
            this.idleSeconds = idleSeconds;
            this.sessions = sessions;
        }

        @Override
        protected void onNewChannelCreated(Channel ch) {
            super.onNewChannelCreated(ch);
            prepare(ch, maxMessageSize, idleSeconds, sessions);
        }

        @Override
        public void setRawDataReceiver(RawDataChannel receiver) {
            super.setRawDataReceiver(ConnectionOrderedExecutor.inOrder(receiver));
        }
    }

    static final class Tls extends TlsServerConnector {
        private final int maxMessageSize;
        private final int idleSeconds;
        private final DeviceSessions sessions;

        Tls(SSLContext ssl, InetSocketAddress address, Configuration config, int maxMessageSize, int idleSeconds, DeviceSessions sessions) {
            super(ssl, address, config);
            this.maxMessageSize = maxMessageSize;
            this.idleSeconds = idleSeconds;
            this.sessions = sessions;
        }

        @Override
        protected void onNewChannelCreated(Channel ch) {
            super.onNewChannelCreated(ch);
            prepare(ch, maxMessageSize, idleSeconds, sessions);
        }

        @Override
        public void setRawDataReceiver(RawDataChannel receiver) {
            super.setRawDataReceiver(ConnectionOrderedExecutor.inOrder(receiver));
        }
    }
}
