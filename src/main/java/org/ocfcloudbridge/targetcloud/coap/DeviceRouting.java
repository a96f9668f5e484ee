package org.ocfcloudbridge.targetcloud.coap;

import io.quarkus.runtime.StartupEvent;
import jakarta.annotation.Priority;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import org.eclipse.californium.core.coap.CoAP.ResponseCode;
import org.ocfcloudbridge.cluster.ClusterBus;
import org.ocfcloudbridge.cluster.ClusterSubjects;
import org.ocfcloudbridge.config.BridgeConfig;
import org.ocfcloudbridge.targetcloud.coap.DeviceConnections.DeviceResponse;
import org.ocfcloudbridge.targetcloud.coap.DeviceConnections.Outcome;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.HexFormat;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.regex.Pattern;

/**
 * Cloud → device requests across the instances of a cluster (issue 14): a device's connection is held by one
 * instance, but a Cloud API request for it may arrive at any. The holding instance answers requests on the device's
 * own NATS subject ({@link ClusterSubjects#DEVICE_REQUEST} + the device id) for as long as the device is signed in
 * there; the others ask on that subject. Nobody listening means no instance holds the device: {@code OFFLINE} at once;
 * no answer in time means its instance is gone or stuck: {@code TIMEOUT}. Both become the Cloud API's 504 with
 * Retry-After, exactly as for a device of this instance.
 *
 * <p>Without cluster mode nothing here runs: {@link #enabled()} is false and no subject is subscribed.
 */
@ApplicationScoped
public class DeviceRouting {

    /** What the holding instance does with a routed request: the GET or POST over its own connection. */
    @FunctionalInterface
    interface LocalRequests {
        CompletionStage<DeviceResponse> send(String deviceId, boolean post, String href, byte[] payload, int contentFormat);
    }

    /** NATS subject tokens must not hold '.', '*', '>' or white space; device ids are UUIDs, others are hex-encoded. */
    private static final Pattern PLAIN_TOKEN = Pattern.compile("[A-Za-z0-9_-]{1,128}");
    private static final byte VERSION = 1;
    /** The asking side waits a little longer than the device's own timeout, so a device's timeout arrives as such. */
    private static final Duration MARGIN = Duration.ofSeconds(1);

    private final ClusterBus bus;
    private final BridgeConfig config;
    private volatile LocalRequests local;

    public DeviceRouting(ClusterBus bus, BridgeConfig config, DeviceSessions sessions) {
        this.bus = bus;
        this.config = config;
        sessions.onPresence(this::presence);
    }

    /**
     * Built at start, before any device can sign in, so that no device's presence goes unseen (a bean is otherwise
     * built at its first use). The local requests go through {@code connections}' proxy, which builds it when first
     * asked.
     */
    void start(@Observes @Priority(5) StartupEvent event, DeviceConnections connections) {
        this.local = connections::sendHere;
    }

    boolean enabled() {
        return bus.enabled();
    }

    /** The subject the instance holding {@code deviceId} answers on. */
    public static String subject(String deviceId) {
        String token = PLAIN_TOKEN.matcher(deviceId).matches() ? deviceId
                : "x" + HexFormat.of().formatHex(deviceId.getBytes(StandardCharsets.UTF_8));
        return ClusterSubjects.DEVICE_REQUEST + token;
    }

    private void presence(String deviceId, boolean online) {
        if (!bus.enabled()) {
            return;
        }
        String subject = subject(deviceId);
        if (online) {
            bus.answer(subject, body -> answer(deviceId, body));
        } else {
            bus.stopAnswering(subject);
        }
    }

    /** Asks the instance holding {@code deviceId}'s connection. */
    CompletionStage<DeviceResponse> send(String deviceId, boolean post, String href, byte[] payload, int contentFormat) {
        Duration timeout = config.coap().requestTimeout().plus(MARGIN);
        return bus.request(subject(deviceId), encodeRequest(post, href, payload, contentFormat), timeout).thenApply(reply ->
                switch (reply.status()) {
                    case ANSWERED -> decodeResponse(reply.body());
                    case NO_RESPONDERS -> DeviceResponse.OFFLINE;
                    case NO_ANSWER -> DeviceResponse.TIMEOUT;
                });
    }

    private CompletionStage<byte[]> answer(String deviceId, byte[] body) {
        LocalRequests requests = local;
        Request r;
        try {
            r = decodeRequest(body);
        } catch (IOException | RuntimeException e) {
            // Another version of the daemon, or not ours: say nothing, the asker times out rather than misreads.
            return CompletableFuture.failedFuture(e);
        }
        if (requests == null) {
            return CompletableFuture.completedFuture(encodeResponse(DeviceResponse.OFFLINE));
        }
        return requests.send(deviceId, r.post(), r.href(), r.payload(), r.contentFormat()).thenApply(DeviceRouting::encodeResponse);
    }

    // ---- wire format: version, then the fields; both ends are this daemon ----

    /** A routed request as the holding instance reads it. */
    public record Request(boolean post, String href, byte[] payload, int contentFormat) {
    }

    /** A routed request's bytes (tests play another instance with these). */
    public static byte[] request(boolean post, String href, byte[] payload, int contentFormat) {
        return encodeRequest(post, href, payload, contentFormat);
    }

    /** Reads a routed request's bytes. */
    public static Request request(byte[] body) {
        try {
            return decodeRequest(body);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** A device's answer as bytes for the asking instance. */
    public static byte[] response(DeviceResponse r) {
        return encodeResponse(r);
    }

    /** Reads an answer's bytes; one that cannot be read counts as no answer. */
    public static DeviceResponse response(byte[] body) {
        return decodeResponse(body);
    }

    static byte[] encodeRequest(boolean post, String href, byte[] payload, int contentFormat) {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream(64 + (payload == null ? 0 : payload.length));
        try (DataOutputStream out = new DataOutputStream(bytes)) {
            out.writeByte(VERSION);
            out.writeBoolean(post);
            out.writeUTF(href);
            out.writeInt(contentFormat);
            writeBytes(out, payload);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return bytes.toByteArray();
    }

    static Request decodeRequest(byte[] body) throws IOException {
        try (DataInputStream in = new DataInputStream(new ByteArrayInputStream(body))) {
            if (in.readByte() != VERSION) {
                throw new IOException("unknown routed request version");
            }
            boolean post = in.readBoolean();
            String href = in.readUTF();
            int contentFormat = in.readInt();
            return new Request(post, href, readBytes(in), contentFormat);
        }
    }

    static byte[] encodeResponse(DeviceResponse r) {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream(32 + (r.payload() == null ? 0 : r.payload().length));
        try (DataOutputStream out = new DataOutputStream(bytes)) {
            out.writeByte(VERSION);
            out.writeByte(r.outcome().ordinal());
            out.writeInt(r.code() == null ? -1 : r.code().value);
            out.writeInt(r.contentFormat());
            writeBytes(out, r.payload());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return bytes.toByteArray();
    }

    /** An answer that cannot be read counts as no answer: the Cloud API says 504, never 500. */
    static DeviceResponse decodeResponse(byte[] body) {
        try (DataInputStream in = new DataInputStream(new ByteArrayInputStream(body))) {
            if (in.readByte() != VERSION) {
                return DeviceResponse.TIMEOUT;
            }
            Outcome outcome = Outcome.values()[in.readByte()];
            int code = in.readInt();
            int contentFormat = in.readInt();
            byte[] payload = readBytes(in);
            return switch (outcome) {
                case ANSWERED -> new DeviceResponse(Outcome.ANSWERED, ResponseCode.valueOf(code), contentFormat, payload);
                case OFFLINE -> DeviceResponse.OFFLINE;
                case TIMEOUT -> DeviceResponse.TIMEOUT;
            };
        } catch (IOException | RuntimeException e) {
            return DeviceResponse.TIMEOUT;
        }
    }

    private static void writeBytes(DataOutputStream out, byte[] b) throws IOException {
        if (b == null) {
            out.writeInt(-1);
        } else {
            out.writeInt(b.length);
            out.write(b);
        }
    }

    private static byte[] readBytes(DataInputStream in) throws IOException {
        int n = in.readInt();
        if (n < 0) {
            return null;
        }
        if (n > in.available()) {
            throw new IOException("truncated");
        }
        return in.readNBytes(n);
    }
}
