package org.ocfcloudbridge.bench;

import org.ocfcloudbridge.simulator.SimulatedDevice;

import java.io.IOException;
import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.IntFunction;

/**
 * Simulated devices of one bench user whose temperatures change, with the tokens to reach them through the Cloud API:
 * the set-up and the changes the notification benches share. Each change carries a temperature of its own (the
 * {@link Receiver} keys its arrivals by the temperature a notification carries) and the fleet notes when it was made,
 * so that the receiver's arrivals can be matched to the changes ({@link #changes()}).
 */
final class TemperatureFleet {

    /** The admin API's token. */
    final String admin;
    /** The bench user's Cloud API token (r:* w:*). */
    final String token;
    final List<SimulatedDevice> devices;
    private final Map<Double, Long> changedAt = new ConcurrentHashMap<>();
    /** The last temperature set; the changes count up from here, the probes count down from -1. */
    private double value = 1000;
    private double probe = -1;

    private TemperatureFleet(String admin, String token, List<SimulatedDevice> devices) {
        this.admin = admin;
        this.token = token;
        this.devices = devices;
    }

    /**
     * A new user with {@code n} devices, device {@code i} signed up, signed in and published at {@code coap.apply(i)};
     * the user, its device codes and its token come from the admin API and the authorization code flow at {@code base}.
     */
    static TemperatureFleet signIn(String base, String adminSecret, int n, IntFunction<URI> coap) throws Exception {
        String admin = NotificationLoad.adminToken(base, adminSecret);
        String user = "bench-" + UUID.randomUUID().toString().substring(0, 8);
        String password = "bench-password-" + UUID.randomUUID();
        NotificationLoad.post(base + "/api/admin/users", admin, Map.of("username", user, "password", password), 201);
        String token = NotificationLoad.userToken(base, admin, user, password);
        List<SimulatedDevice> fleet = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            SimulatedDevice d = new SimulatedDevice(UUID.randomUUID().toString(), "bench-" + i, coap.apply(i), true);
            d.connect();
            d.signUp(NotificationLoad.post(base + "/api/admin/device-codes", admin, Map.of("username", user), 201).get("code").asText(), null);
            d.signIn();
            d.publish(0);
            fleet.add(d);
        }
        return new TemperatureFleet(admin, token, fleet);
    }

    SimulatedDevice get(int i) {
        return devices.get(i % devices.size());
    }

    int size() {
        return devices.size();
    }

    /**
     * One resource-level subscription ({@code resource_contentchanged}) per device's temperature, device {@code i}'s
     * made through {@code base.apply(i)}, signed with {@code signingSecret}.
     */
    void subscribe(IntFunction<String> base, String eventsUrl, String signingSecret) throws Exception {
        for (int i = 0; i < devices.size(); i++) {
            NotificationLoad.post(base.apply(i) + "/api/v1/devices/" + devices.get(i).di() + "/temperature/subscriptions", token,
                    Map.of("eventsUrl", eventsUrl, "eventTypes", List.of("resource_contentchanged"), "signingSecret", signingSecret), 201);
        }
    }

    /**
     * Waits until a change of every device reached the receiver as a verified notification, at most {@code max}: the
     * cloud then observes every temperature and delivers every subscription. A change made before the cloud observed
     * the device is not notified at all, so a device whose change did not arrive within two seconds changes again.
     * Reads the receiver's arrivals since its last reset (reset it first: a warmed-up receiver holds many).
     */
    void awaitDelivered(ReceiverControl receiver, Duration max) throws Exception {
        long end = System.nanoTime() + max.toNanos();
        Map<Double, Integer> probes = new HashMap<>();
        Set<Integer> waiting = new TreeSet<>();
        for (int i = 0; i < devices.size(); i++) {
            waiting.add(i);
        }
        while (!waiting.isEmpty()) {
            if (System.nanoTime() > end) {
                throw new IOException("changes of " + waiting.size() + " of " + devices.size() + " devices did not reach the receiver within "
                        + max + " (devices " + waiting + ")");
            }
            for (int i : waiting) {
                probes.put(probe, i);
                devices.get(i).setTemperature(probe);
                probe -= 1;
            }
            long again = Math.min(end, System.nanoTime() + Duration.ofSeconds(2).toNanos());
            while (!waiting.isEmpty() && System.nanoTime() < again) {
                Thread.sleep(100);
                for (ReceiverControl.Arrival a : receiver.arrivals()) {
                    Integer device = probes.get(a.key());
                    if (device != null) {
                        waiting.remove(device);
                    }
                }
            }
        }
    }

    /** Device {@code i} (modulo the fleet) changes its temperature to the next value. */
    void change(int i) {
        value += 1;
        changedAt.put(value, System.nanoTime());
        get(i).setTemperature(value);
    }

    /** When the change a notification's temperature stands for was made, once; -1 for one that is not a change's. */
    ReceiverControl.SentAt changes() {
        return key -> {
            Long at = changedAt.remove(key);
            return at == null ? -1 : at;
        };
    }

    /**
     * {@code n} changes, round-robin over the devices, as fast as they go; then waits until the receiver got nothing
     * for three seconds (at most five minutes). {@code cpu} measures from the first change to the last arrival, and
     * {@code quiet} (if not null) the three seconds of quiet after it: what the processes use when idle. Matches the
     * receiver's arrivals since its last reset (reset it first) with the changes: a change another one of the same
     * device superseded before the cloud read it is not notified, so the count may be lower than {@code n}.
     */
    ReceiverControl.Result burst(ReceiverControl receiver, Cpu cpu, Cpu quiet, int n) throws Exception {
        changedAt.clear();
        Runnable lastArrival = () -> {
            cpu.stop();
            if (quiet != null) {
                quiet.mark();
            }
        };
        cpu.mark();
        long start = System.nanoTime();
        for (int i = 0; i < n; i++) {
            change(i);
        }
        lastArrival.run();
        receiver.quiesce(Duration.ofSeconds(3), Duration.ofMinutes(5), lastArrival);
        if (quiet != null) {
            quiet.stop();
        }
        return receiver.match(start, changes(), null);
    }

    /** Forgets the changes not matched yet (before a phase of its own). */
    void forget() {
        changedAt.clear();
    }

    void shutdown() {
        devices.forEach(SimulatedDevice::shutdown);
    }
}
