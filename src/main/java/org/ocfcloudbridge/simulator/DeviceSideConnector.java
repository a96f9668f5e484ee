package org.ocfcloudbridge.simulator;

import io.netty.bootstrap.Bootstrap;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.nio.NioEventLoopGroup;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioSocketChannel;
import io.netty.handler.ssl.SslHandler;
import io.netty.util.concurrent.DefaultThreadFactory;
import org.eclipse.californium.elements.Connector;
import org.eclipse.californium.elements.EndpointContext;
import org.eclipse.californium.elements.EndpointContextMatcher;
import org.eclipse.californium.elements.RawData;
import org.eclipse.californium.elements.RawDataChannel;
import org.eclipse.californium.elements.config.CertificateAuthenticationMode;
import org.eclipse.californium.elements.exception.EndpointMismatchException;
import org.eclipse.californium.elements.tcp.netty.DatagramFramer;
import org.eclipse.californium.elements.tcp.netty.DispatchHandler;
import org.eclipse.californium.elements.tcp.netty.TcpContextUtil;
import org.eclipse.californium.elements.tcp.netty.TlsContextUtil;
import org.ocfcloudbridge.targetcloud.coap.Signalling;

import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLEngine;
import java.io.IOException;
import java.net.DatagramPacket;
import java.net.InetSocketAddress;
import java.util.concurrent.TimeUnit;

/**
 * A device's one connection to its cloud, as a Californium {@link Connector} whose socket lives on an event loop shared
 * by every simulated device of the process. Californium's own {@code TcpClientConnector} starts an event loop group
 * per connector, so 10,000 devices would need 10,000 threads; a device talks to one cloud over one connection and
 * needs none of its pooling.
 */
final class DeviceSideConnector implements Connector {

    /** One loop for the whole simulator: devices are idle most of the time. */
    private static final class Loop {
        static final EventLoopGroup GROUP = new NioEventLoopGroup(Math.max(2, Runtime.getRuntime().availableProcessors()),
                new DefaultThreadFactory("simulator-io", true));
    }

    private static final int CONNECT_TIMEOUT_MILLIS = 10_000;

    private final InetSocketAddress cloud;
    private final SSLContext tls;
    private final TcpContextUtil contextUtil;
    private final int maxMessageSize;
    private volatile RawDataChannel receiver;
    private volatile EndpointContextMatcher matcher;
    private volatile Channel channel;
    private volatile boolean running;

    /** @param tls {@code null} for CoAP over plain TCP */
    DeviceSideConnector(InetSocketAddress cloud, SSLContext tls, int maxMessageSize) {
        this.cloud = cloud;
        this.tls = tls;
        this.maxMessageSize = maxMessageSize;
        this.contextUtil = tls == null ? new TcpContextUtil() : new TlsContextUtil(CertificateAuthenticationMode.NONE);
    }

    /** Connects at once, so a device learns of an unreachable cloud from {@code connect()}, not from its first request. */
    @Override
    public synchronized void start() throws IOException {
        if (running) {
            return;
        }
        if (receiver == null) {
            throw new IllegalStateException("no receiver set");
        }
        Bootstrap b = new Bootstrap().group(Loop.GROUP).channel(NioSocketChannel.class)
                .option(ChannelOption.TCP_NODELAY, true)
                .option(ChannelOption.CONNECT_TIMEOUT_MILLIS, CONNECT_TIMEOUT_MILLIS)
                .handler(new ChannelInitializer<SocketChannel>() {
                    @Override
                    protected void initChannel(SocketChannel ch) {
                        if (tls != null) {
                            SSLEngine engine = tls.createSSLEngine(cloud.getHostString(), cloud.getPort());
                            engine.setUseClientMode(true);
                            ch.pipeline().addLast(new SslHandler(engine));
                        }
                        ch.pipeline().addLast(new Signalling(maxMessageSize), new DatagramFramer(contextUtil),
                                new DispatchHandler(receiver), new CloseOnError());
                    }
                });
        ChannelFuture connected = b.connect(cloud);
        if (!connected.awaitUninterruptibly(CONNECT_TIMEOUT_MILLIS + 1000L, TimeUnit.MILLISECONDS) || !connected.isSuccess()) {
            connected.channel().close();
            Throwable cause = connected.cause();
            throw new IOException("cannot connect to " + cloud + (cause == null ? "" : ": " + cause.getMessage()), cause);
        }
        Channel ch = connected.channel();
        if (tls != null) {
            var handshake = ch.pipeline().get(SslHandler.class).handshakeFuture();
            if (!handshake.awaitUninterruptibly(CONNECT_TIMEOUT_MILLIS, TimeUnit.MILLISECONDS) || !handshake.isSuccess()) {
                ch.close();
                Throwable cause = handshake.cause();
                throw new IOException("TLS handshake with " + cloud + " failed" + (cause == null ? "" : ": " + cause.getMessage()), cause);
            }
        }
        channel = ch;
        running = true;
    }

    Channel channel() {
        return channel;
    }

    @Override
    public void send(RawData msg) {
        Channel ch = channel;
        if (ch == null || !ch.isActive()) {
            msg.onError(new IOException("connection to " + cloud + " is closed"));
            return;
        }
        if (!cloud.equals(msg.getInetSocketAddress())) {
            msg.onError(new EndpointMismatchException("this connection only reaches " + cloud));
            return;
        }
        EndpointContext ours = contextUtil.buildEndpointContext(ch);
        EndpointContextMatcher m = matcher;
        if (m != null && msg.getEndpointContext() != null && !m.isToBeSent(msg.getEndpointContext(), ours)) {
            msg.onError(new EndpointMismatchException("connection changed"));
            return;
        }
        msg.onContextEstablished(ours);
        ch.writeAndFlush(Unpooled.wrappedBuffer(msg.getBytes())).addListener(f -> {
            if (f.isSuccess()) {
                msg.onSent();
            } else {
                msg.onError(f.cause());
            }
        });
    }

    @Override
    public synchronized void stop() {
        running = false;
        Channel ch = channel;
        if (ch != null) {
            ch.close();
        }
    }

    @Override
    public void destroy() {
        stop();
    }

    @Override
    public void setRawDataReceiver(RawDataChannel receiver) {
        this.receiver = receiver;
    }

    @Override
    public void setEndpointContextMatcher(EndpointContextMatcher matcher) {
        this.matcher = matcher;
    }

    @Override
    public InetSocketAddress getAddress() {
        Channel ch = channel;
        return ch != null && ch.localAddress() instanceof InetSocketAddress a ? a : new InetSocketAddress(0);
    }

    @Override
    public String getProtocol() {
        return tls == null ? "TCP" : "TLS";
    }

    @Override
    public boolean isRunning() {
        return running;
    }

    @Override
    public void processDatagram(DatagramPacket datagram) {
        // Stream transport: nothing arrives as a datagram.
    }

    @Override
    public String toString() {
        return getProtocol() + " to " + cloud;
    }

    /** A broken connection is closed, so the device's agent notices and reconnects. */
    private static final class CloseOnError extends ChannelInboundHandlerAdapter {
        @Override
        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
            ctx.close();
        }
    }
}
