package org.ocfcloudbridge.bench;

import io.netty.bootstrap.Bootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.channel.nio.NioEventLoopGroup;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioSocketChannel;
import org.eclipse.californium.core.CoapResource;
import org.eclipse.californium.core.CoapServer;
import org.eclipse.californium.core.coap.CoAP.ResponseCode;
import org.eclipse.californium.core.coap.Message;
import org.eclipse.californium.core.coap.Request;
import org.eclipse.californium.core.coap.Response;
import org.eclipse.californium.core.coap.Token;
import org.eclipse.californium.core.network.CoapEndpoint;
import org.eclipse.californium.core.network.serialization.TcpDataParser;
import org.eclipse.californium.core.network.serialization.TcpDataSerializer;
import org.eclipse.californium.core.server.resources.CoapExchange;
import org.eclipse.californium.elements.config.Configuration;
import org.eclipse.californium.elements.tcp.netty.TcpServerConnector;
import org.ocfcloudbridge.ocf.Link;
import org.ocfcloudbridge.ocf.OcfCodec;
import org.ocfcloudbridge.ocf.OcfFormat;
import org.ocfcloudbridge.ocf.Protocol;
import org.ocfcloudbridge.ocf.RdPublish;
import org.ocfcloudbridge.ocf.SessionRequest;
import org.ocfcloudbridge.ocf.SignUpRequest;
import org.ocfcloudbridge.ocf.SignUpResponse;
import org.ocfcloudbridge.targetcloud.coap.CoapGateway;
import org.ocfcloudbridge.targetcloud.coap.Signalling;

import java.io.DataInputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Semaphore;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The load side of the device benchmark: thousands of devices in one process on one shared netty event loop, each on
 * its own CoAP-over-TCP connection, speaking raw RFC 8323 frames (Californium's serializer and parser, not its
 * endpoints: one endpoint per device would cost threads per device). Each device signs up, signs in and publishes
 * five links. Also measures Ping round trips against the cloud and GET round trips against a bare Californium
 * CoAP-over-TCP echo server started in this process, with the same raw client.
 * <pre>
 * LoadDevices HOST PORT N HTTP_BASE ADMIN_SECRET [CONCURRENCY] [--hold] [--save FILE] [--reconnect FILE]
 * </pre>
 * Device codes come from the cloud's admin API before the clock starts. {@code --save} writes each device's id, user
 * id and access token to FILE once all are signed in; {@code --reconnect} skips the sign-up: the devices of FILE
 * connect, sign in with their saved token and publish their links again, as devices do when they reconnect after the
 * cloud restarted (N and the admin API are then not used).
 */
public final class LoadDevices {

    private static final OcfCodec CODEC = OcfCodec.get();
    private static final TcpDataSerializer SERIALIZER = new TcpDataSerializer();
    private static final TcpDataParser PARSER = new TcpDataParser(CoapGateway.OPTIONS);

    /** One device's connection: requests matched to answers by token. */
    static final class Device extends SimpleChannelInboundHandler<ByteBuf> {
        String di = UUID.randomUUID().toString();
        String uid;
        String token;
        final Map<Token, CompletableFuture<Response>> pending = new ConcurrentHashMap<>();
        Channel channel;

        CompletableFuture<Response> send(Request r) {
            byte[] t = new byte[4];
            ThreadLocalRandom.current().nextBytes(t);
            Token token = Token.fromProvider(t);
            r.setToken(token);
            CompletableFuture<Response> f = new CompletableFuture<>();
            pending.put(token, f);
            channel.writeAndFlush(Unpooled.wrappedBuffer(SERIALIZER.getByteArray(r)));
            return f.orTimeout(30, TimeUnit.SECONDS);
        }

        @Override
        protected void channelRead0(ChannelHandlerContext ctx, ByteBuf frame) {
            Message m = PARSER.parseMessage(ByteBufUtil.getBytes(frame));
            if (m instanceof Response r) {
                CompletableFuture<Response> f = pending.remove(r.getToken());
                if (f != null) {
                    f.complete(r);
                }
            } else if (m instanceof Request req) {
                // The cloud asks something of a benchmark device (it publishes nothing observable): not here.
                Response not = new Response(ResponseCode.NOT_FOUND);
                not.setToken(req.getToken());
                ctx.writeAndFlush(Unpooled.wrappedBuffer(SERIALIZER.getByteArray(not)));
            }
        }
    }

    static Request post(String path, Object body) {
        Request r = Request.newPost();
        r.getOptions().setUriPath(path);
        r.getOptions().setContentFormat(Protocol.MediaTypes.OCF_CBOR_FORMAT);
        r.setPayload(CODEC.encode(body, OcfFormat.OCF_CBOR));
        return r;
    }

    static Response expect(Response r, ResponseCode code, String what) {
        if (r.getCode() != code) {
            throw new IllegalStateException(what + " answered " + r.getCode() + " " + r.getPayloadString());
        }
        return r;
    }

    /** Exits when done or failed ({@link BenchMain}). */
    public static void main(String[] args) {
        BenchMain.exitAfter(() -> run(args));
    }

    private static void run(String[] args) throws Exception {
        String host = args[0];
        int port = Integer.parseInt(args[1]);
        int n = Integer.parseInt(args[2]);
        List<String> flags = Arrays.asList(args);
        String save = flags.contains("--save") ? args[flags.indexOf("--save") + 1] : null;
        List<String[]> saved = flags.contains("--reconnect")
                ? java.nio.file.Files.readAllLines(java.nio.file.Path.of(args[flags.indexOf("--reconnect") + 1])).stream()
                        .filter(l -> !l.isBlank()).map(l -> l.split(" ")).toList()
                : null;
        List<String> codes;
        if (saved != null) {
            n = saved.size();
            codes = null;
            System.out.printf("%d devices reconnect with their saved tokens%n", n);
        } else {
            long fetchStart = System.nanoTime();
            codes = deviceCodes(args[3], args[4], n);
            System.out.printf("%d device codes from the admin API in %.1f s%n", n, (System.nanoTime() - fetchStart) / 1e9);
        }
        System.out.flush();
        int concurrency = args.length > 5 && !args[5].startsWith("--") ? Integer.parseInt(args[5]) : 256;
        boolean hold = flags.contains("--hold");

        EventLoopGroup group = new NioEventLoopGroup(2);
        Bootstrap b = new Bootstrap().group(group).channel(NioSocketChannel.class).option(ChannelOption.TCP_NODELAY, true)
                .option(ChannelOption.CONNECT_TIMEOUT_MILLIS, 30_000);
        Semaphore inFlight = new Semaphore(concurrency);
        AtomicInteger done = new AtomicInteger();
        AtomicInteger failed = new AtomicInteger();
        List<Device> devices = new ArrayList<>(n);
        List<CompletableFuture<Void>> all = new ArrayList<>(n);
        long start = System.nanoTime();
        for (int i = 0; i < n; i++) {
            Device d = new Device();
            devices.add(d);
            String code = codes == null ? null : codes.get(i);
            if (saved != null) {
                d.di = saved.get(i)[0];
                d.uid = saved.get(i)[1];
                d.token = saved.get(i)[2];
            }
            inFlight.acquire();
            CompletableFuture<Void> lifecycle = new CompletableFuture<>();
            all.add(lifecycle);
            b.clone().handler(new ChannelInitializer<SocketChannel>() {
                @Override
                protected void initChannel(SocketChannel ch) {
                    ch.pipeline().addLast(new Signalling(16384), d);
                }
            }).connect(host, port).addListener(cf -> {
                if (!cf.isSuccess()) {
                    lifecycle.completeExceptionally(cf.cause());
                    return;
                }
                d.channel = ((io.netty.channel.ChannelFuture) cf).channel();
                (code == null ? signInAndPublish(d) : run(d, code)).whenComplete((v, e) -> {
                    if (e != null) {
                        lifecycle.completeExceptionally(e);
                    } else {
                        lifecycle.complete(null);
                    }
                });
            });
            lifecycle.whenComplete((v, e) -> {
                inFlight.release();
                if (e != null) {
                    if (failed.incrementAndGet() <= 3) {
                        System.out.println("device failed: " + e);
                    }
                } else {
                    done.incrementAndGet();
                }
            });
        }
        CompletableFuture.allOf(all.toArray(CompletableFuture[]::new)).handle((v, e) -> null).get(10, TimeUnit.MINUTES);
        double seconds = (System.nanoTime() - start) / 1e9;
        System.out.printf("devices signed in with 5 links: %d of %d (%d failed) in %.2f s%n", done.get(), n, failed.get(), seconds);
        if (save != null) {
            java.nio.file.Files.write(java.nio.file.Path.of(save), devices.stream().filter(d -> d.token != null)
                    .map(d -> d.di + " " + d.uid + " " + d.token).toList());
        }

        long[] cloudPing = pingRoundTrips(host, port, 2000);
        long[] bare = bareCaliforniumEcho(2000);
        System.out.printf("ping round trip to the cloud (raw client): p50 %d us, p99 %d us%n", pct(cloudPing, 50), pct(cloudPing, 99));
        System.out.printf("bare Californium TCP echo GET (same client):  p50 %d us, p99 %d us%n", pct(bare, 50), pct(bare, 99));
        long[] up = values(SIGN_UP);
        long late = java.util.Arrays.stream(up).filter(us -> us > 2_000_000).count();
        for (var step : List.of(Map.entry("sign-up", up), Map.entry("sign-in", values(SIGN_IN)), Map.entry("publish", values(PUBLISH)))) {
            System.out.printf("%-8s round trip: p50 %.1f ms, p99 %.1f ms, max %.1f ms%n", step.getKey(), pct(step.getValue(), 50) / 1e3,
                    pct(step.getValue(), 99) / 1e3, java.util.Arrays.stream(step.getValue()).max().orElse(0) / 1e3);
        }
        System.out.printf("sign-ups answered after the 2 s deadline: %d of %d%n", late, SIGN_UP.size());
        System.out.println("RESULT " + done.get() + " " + failed.get() + " " + String.format("%.3f", seconds) + " "
                + pct(cloudPing, 50) + " " + pct(cloudPing, 99) + " " + pct(bare, 50) + " " + pct(bare, 99) + " "
                + pct(up, 99) / 1000 + " " + late);
        System.out.flush();
        if (hold) {
            System.out.println("holding the connections; stop with Ctrl-C");
            Thread.sleep(Long.MAX_VALUE);
        }
        group.shutdownGracefully(0, 1, TimeUnit.SECONDS).sync();
        System.exit(failed.get() == 0 ? 0 : 1);
    }

    /** N single-use device codes for one bench user, 32 requests at a time. */
    static List<String> deviceCodes(String base, String adminSecret, int n) throws Exception {
        java.net.http.HttpClient http = java.net.http.HttpClient.newHttpClient();
        com.fasterxml.jackson.databind.ObjectMapper json = new com.fasterxml.jackson.databind.ObjectMapper();
        String basic = java.util.Base64.getEncoder().encodeToString(("bridge-admin:" + adminSecret).getBytes(java.nio.charset.StandardCharsets.UTF_8));
        String token = json.readTree(http.send(java.net.http.HttpRequest.newBuilder(java.net.URI.create(base + "/oauth2/token"))
                .header("Authorization", "Basic " + basic).header("Content-Type", "application/x-www-form-urlencoded")
                .POST(java.net.http.HttpRequest.BodyPublishers.ofString("grant_type=client_credentials")).build(),
                java.net.http.HttpResponse.BodyHandlers.ofString()).body()).get("access_token").asText();
        String user = "bench-" + UUID.randomUUID().toString().substring(0, 8);
        http.send(java.net.http.HttpRequest.newBuilder(java.net.URI.create(base + "/api/admin/users")).header("Authorization", "Bearer " + token)
                .header("Content-Type", "application/json")
                .POST(java.net.http.HttpRequest.BodyPublishers.ofString("{\"username\":\"" + user + "\",\"password\":\"" + UUID.randomUUID() + "\"}")).build(),
                java.net.http.HttpResponse.BodyHandlers.ofString());
        Semaphore window = new Semaphore(32);
        String[] codes = new String[n];
        List<CompletableFuture<?>> calls = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            int k = i;
            window.acquire();
            calls.add(http.sendAsync(java.net.http.HttpRequest.newBuilder(java.net.URI.create(base + "/api/admin/device-codes"))
                            .header("Authorization", "Bearer " + token).header("Content-Type", "application/json")
                            .POST(java.net.http.HttpRequest.BodyPublishers.ofString("{\"username\":\"" + user + "\"}")).build(),
                    java.net.http.HttpResponse.BodyHandlers.ofString()).thenAccept(r -> {
                        try {
                            codes[k] = json.readTree(r.body()).get("code").asText();
                        } catch (IOException e) {
                            throw new IllegalStateException(e);
                        }
                    }).whenComplete((v, e) -> window.release()));
        }
        CompletableFuture.allOf(calls.toArray(CompletableFuture[]::new)).get(10, TimeUnit.MINUTES);
        return Arrays.asList(codes);
    }

    /** Round trips in microseconds, per step, of every device: the storm's tail is what a device's deadline meets. */
    static final java.util.Queue<Long> SIGN_UP = new java.util.concurrent.ConcurrentLinkedQueue<>();
    static final java.util.Queue<Long> SIGN_IN = new java.util.concurrent.ConcurrentLinkedQueue<>();
    static final java.util.Queue<Long> PUBLISH = new java.util.concurrent.ConcurrentLinkedQueue<>();

    /** {@code d.send(r)}, its round trip added to {@code into}. */
    static CompletableFuture<Response> timed(Device d, Request r, java.util.Queue<Long> into) {
        long t0 = System.nanoTime();
        return d.send(r).whenComplete((x, e) -> {
            if (e == null) {
                into.add((System.nanoTime() - t0) / 1000);
            }
        });
    }

    static long[] values(java.util.Queue<Long> q) {
        return q.isEmpty() ? new long[]{0} : q.stream().mapToLong(Long::longValue).toArray();
    }

    private static CompletableFuture<Void> run(Device d, String code) {
        SignUpRequest up = new SignUpRequest();
        up.di = d.di;
        up.accesstoken = code;
        return timed(d, post("oic/sec/account", up), SIGN_UP).thenCompose(r -> {
            SignUpResponse a = CODEC.decode(expect(r, ResponseCode.CHANGED, "sign-up").getPayload(), SignUpResponse.class, OcfFormat.OCF_CBOR);
            d.uid = a.uid;
            d.token = a.accesstoken;
            return signInAndPublish(d);
        });
    }

    /** Signs in with the device's token and publishes its five links. */
    private static CompletableFuture<Void> signInAndPublish(Device d) {
        SessionRequest in = new SessionRequest();
        in.uid = d.uid;
        in.di = d.di;
        in.accesstoken = d.token;
        in.login = true;
        return timed(d, post("oic/sec/session", in), SIGN_IN).thenCompose(r -> {
            expect(r, ResponseCode.CHANGED, "sign-in");
            RdPublish p = new RdPublish();
            p.di = d.di;
            p.ttl = 0L;
            p.links = new ArrayList<>();
            for (int i = 0; i < 5; i++) {
                Link l = new Link();
                l.href = "/res/" + i;
                l.rt = List.of("oic.r.bench");
                l.interfaces = List.of("oic.if.baseline");
                l.p = new Link.LinkPolicy();
                l.p.bm = Link.LinkPolicy.DISCOVERABLE;
                p.links.add(l);
            }
            return timed(d, post("oic/rd", p), PUBLISH);
        }).thenAccept(r -> expect(r, ResponseCode.CHANGED, "publish"));
    }

    /** Ping/Pong round trips on a fresh raw connection (after reading the cloud's CSM), microseconds. */
    static long[] pingRoundTrips(String host, int port, int count) throws IOException {
        try (Socket s = new Socket()) {
            s.connect(new InetSocketAddress(host, port), 5000);
            s.setTcpNoDelay(true);
            s.setSoTimeout(5000);
            DataInputStream in = new DataInputStream(s.getInputStream());
            OutputStream out = s.getOutputStream();
            readFrame(in);
            long[] rtt = new long[count];
            byte[] ping = {1, (byte) 0xE2, 0x42};
            for (int i = 0; i < count + 200; i++) {
                long t0 = System.nanoTime();
                out.write(ping);
                out.flush();
                readFrame(in);
                if (i >= 200) {
                    rtt[i - 200] = (System.nanoTime() - t0) / 1000;
                }
            }
            return rtt;
        }
    }

    /** The simulated devices' Californium settings (CloudConnection's), for an echo server measured like them. */
    private static Configuration echoConfig() {
        org.eclipse.californium.core.config.CoapConfig.register();
        org.eclipse.californium.elements.config.TcpConfig.register();
        Configuration cfg = Configuration.createStandardWithoutFile();
        cfg.set(org.eclipse.californium.elements.config.TcpConfig.TCP_CONNECTION_IDLE_TIMEOUT, 3600, TimeUnit.SECONDS);
        cfg.set(org.eclipse.californium.elements.config.TcpConfig.TCP_WORKER_THREADS, 1);
        return cfg;
    }

    /** GET round trips to a bare Californium CoAP-over-TCP server with one echo resource, microseconds. */
    static long[] bareCaliforniumEcho(int count) throws IOException {
        Configuration cfg = echoConfig();
        CoapServer server = new CoapServer(cfg);
        TcpServerConnector connector = new TcpServerConnector(new InetSocketAddress("127.0.0.1", 0), cfg);
        CoapEndpoint ep = new CoapEndpoint.Builder().setConnector(connector).setConfiguration(cfg).build();
        server.addEndpoint(ep);
        server.add(new CoapResource("echo") {
            @Override
            public void handleGET(CoapExchange exchange) {
                exchange.respond(ResponseCode.CONTENT, "x");
            }
        });
        server.start();
        try (Socket s = new Socket()) {
            s.connect(ep.getAddress(), 5000);
            s.setTcpNoDelay(true);
            s.setSoTimeout(5000);
            DataInputStream in = new DataInputStream(s.getInputStream());
            OutputStream out = s.getOutputStream();
            Request get = Request.newGet();
            get.getOptions().setUriPath("echo");
            get.setToken(Token.fromProvider(new byte[] {1}));
            byte[] frame = SERIALIZER.getByteArray(get);
            long[] rtt = new long[count];
            for (int i = 0; i < count + 200; i++) {
                long t0 = System.nanoTime();
                out.write(frame);
                out.flush();
                readFrame(in);
                if (i >= 200) {
                    rtt[i - 200] = (System.nanoTime() - t0) / 1000;
                }
            }
            return rtt;
        } finally {
            server.destroy();
        }
    }

    /** Reads one RFC 8323 frame and returns its code byte. */
    static int readFrame(DataInputStream in) throws IOException {
        int first = in.readUnsignedByte();
        int len = first >>> 4;
        int tkl = first & 0x0F;
        long body = switch (len) {
            case 13 -> in.readUnsignedByte() + 13L;
            case 14 -> in.readUnsignedShort() + 269L;
            case 15 -> (in.readInt() & 0xFFFFFFFFL) + 65805L;
            default -> len;
        };
        int code = in.readUnsignedByte();
        in.skipNBytes(tkl + body);
        return code;
    }

    static long pct(long[] values, int p) {
        long[] sorted = values.clone();
        Arrays.sort(sorted);
        return sorted[Math.min(sorted.length - 1, (int) Math.ceil(p / 100.0 * sorted.length) - 1)];
    }
}
