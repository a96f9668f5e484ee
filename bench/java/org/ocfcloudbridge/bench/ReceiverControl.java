package org.ocfcloudbridge.bench;

import java.io.ByteArrayInputStream;
import java.io.DataInputStream;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/** The load driver's side of the {@link Receiver}'s control API, and the reckoning of rates and latencies from it. */
final class ReceiverControl {

    record Arrival(double key, long at, long eventMillis) {
    }

    /** When the driver sent (or had a device make) the change a key stands for; -1 if it did not, or it was counted. */
    interface SentAt {
        long take(double key);
    }

    /** Matched arrivals: latencies in nanoseconds (sorted), and the rate from {@code start} to the last one. */
    record Result(int count, double perSecond, long[] latencies, long[] eventMillisLatencies) {
        double ms(int p) {
            return pct(latencies, p) / 1e6;
        }
    }

    private final String base;
    private final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).connectTimeout(Duration.ofSeconds(5)).build();

    ReceiverControl(String base) {
        this.base = base;
    }

    String url(String path) {
        return base + path;
    }

    void awaitReady(Duration max) throws Exception {
        long end = System.nanoTime() + max.toNanos();
        while (true) {
            try {
                stats();
                return;
            } catch (IOException e) {
                if (System.nanoTime() > end) {
                    throw new IOException("the receiver at " + base + " never answered", e);
                }
                Thread.sleep(100);
            }
        }
    }

    void reset() throws Exception {
        send(HttpRequest.newBuilder(URI.create(base + "/control/reset")).POST(HttpRequest.BodyPublishers.noBody()).build(),
                HttpResponse.BodyHandlers.discarding());
    }

    /** {arrivals, bad signatures, last arrival nanos}. */
    long[] stats() throws Exception {
        String[] f = send(HttpRequest.newBuilder(URI.create(base + "/control/stats")).build(), HttpResponse.BodyHandlers.ofString())
                .body().trim().split(" ");
        return new long[]{Long.parseLong(f[0]), Long.parseLong(f[1]), Long.parseLong(f[2])};
    }

    List<Arrival> arrivals() throws Exception {
        byte[] b = send(HttpRequest.newBuilder(URI.create(base + "/control/arrivals")).build(), HttpResponse.BodyHandlers.ofByteArray()).body();
        DataInputStream in = new DataInputStream(new ByteArrayInputStream(b));
        int n = in.readInt();
        List<Arrival> list = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            list.add(new Arrival(in.readDouble(), in.readLong(), in.readLong()));
        }
        return list;
    }

    /** Waits until nothing more arrived for {@code quiet} (at most five minutes); returns the arrivals so far. */
    long quiesce(Duration quiet) throws Exception {
        return quiesce(quiet, Duration.ofMinutes(5), () -> { });
    }

    /**
     * Waits until nothing more arrived for {@code quiet}, looking every 100 ms, and runs {@code arrived} at each look
     * that saw more arrive (the last run is then within 100 ms of the last arrival: a bench can note its CPU there and
     * leave the quiet out). Fails when arrivals are still coming after {@code max}. Returns the arrivals so far.
     */
    long quiesce(Duration quiet, Duration max, Runnable arrived) throws Exception {
        long end = System.nanoTime() + max.toNanos();
        long seen = stats()[0];
        long lastChange = System.nanoTime();
        while (System.nanoTime() - lastChange < quiet.toNanos()) {
            if (System.nanoTime() > end) {
                throw new IOException("the receiver at " + base + " was still getting requests after " + max);
            }
            Thread.sleep(100);
            long now = stats()[0];
            if (now != seen) {
                seen = now;
                lastChange = System.nanoTime();
                arrived.run();
            }
        }
        return seen;
    }

    /** Waits until {@code n} arrived or {@code max} passed; returns the arrivals so far. */
    long await(long n, Duration max) throws Exception {
        long end = System.nanoTime() + max.toNanos();
        long now;
        while ((now = stats()[0]) < n && System.nanoTime() < end) {
            Thread.sleep(50);
        }
        return now;
    }

    /**
     * Matches what arrived with what was sent: each key counts once (a redelivered notification is not a second one),
     * the rate runs from {@code start} to the last matched arrival. {@code wallSent} gives the wall-clock send time of a
     * key for the event-time latencies (null when there are none).
     */
    Result match(long start, SentAt sent, SentAt wallSent) throws Exception {
        List<Arrival> all = arrivals();
        long[] lat = new long[all.size()];
        long[] event = new long[all.size()];
        int n = 0;
        int e = 0;
        long last = start;
        for (Arrival a : all) {
            long at = sent.take(a.key());
            if (at < 0) {
                continue;
            }
            lat[n++] = a.at() - at;
            last = Math.max(last, a.at());
            long wall = wallSent == null ? -1 : wallSent.take(a.key());
            if (wall >= 0 && a.eventMillis() >= 0) {
                event[e++] = (a.eventMillis() - wall) * 1_000_000L;
            }
        }
        lat = Arrays.copyOf(lat, n);
        event = Arrays.copyOf(event, e);
        Arrays.sort(lat);
        Arrays.sort(event);
        return new Result(n, n == 0 ? 0 : n / ((last - start) / 1e9), lat, event);
    }

    static double pct(long[] sorted, int p) {
        if (sorted.length == 0) {
            return Double.NaN;
        }
        return sorted[Math.min(sorted.length - 1, (int) Math.ceil(p / 100.0 * sorted.length) - 1)];
    }

    private <T> HttpResponse<T> send(HttpRequest r, HttpResponse.BodyHandler<T> h) throws Exception {
        HttpResponse<T> resp = http.send(r, h);
        if (resp.statusCode() >= 300) {
            throw new IOException(r.uri() + " answered " + resp.statusCode());
        }
        return resp;
    }

    /**
     * CPU milliseconds of the JIT compiler threads of {@code pid} (HotSpot's "C1/C2 CompilerThreadN"): a daemon still
     * compiling its hot paths spends a quarter of its CPU there in a 10 s phase after a 10 s warm-up (measured
     * 2026-12-05), which is start-up cost, not the cost of a change. -1 when /proc does not tell.
     */
    static long compilerMillis(long pid) {
        if (pid <= 0) {
            return -1;
        }
        long sum = 0;
        try (java.util.stream.Stream<java.nio.file.Path> tasks = java.nio.file.Files.list(java.nio.file.Path.of("/proc/" + pid + "/task"))) {
            for (java.nio.file.Path t : (Iterable<java.nio.file.Path>) tasks::iterator) {
                try {
                    if (java.nio.file.Files.readString(t.resolve("comm")).contains("CompilerThre")) {
                        String stat = java.nio.file.Files.readString(t.resolve("stat"));
                        String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
                        sum += (Long.parseLong(f[11]) + Long.parseLong(f[12])) * 10;
                    }
                } catch (java.io.IOException gone) {
                    // the thread ended between the listing and the read
                }
            }
            return sum;
        } catch (java.io.IOException | RuntimeException e) {
            return -1;
        }
    }

    /** CPU time (user + system) a process has used, from /proc (Linux); -1 when unknown. */
    static long cpuMillis(long pid) {
        if (pid <= 0) {
            return -1;
        }
        try {
            String stat = java.nio.file.Files.readString(java.nio.file.Path.of("/proc/" + pid + "/stat"));
            String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
            // utime and stime are fields 14 and 15 of the line, 12 and 13 after the command; clock ticks of 10 ms.
            return (Long.parseLong(f[11]) + Long.parseLong(f[12])) * 10;
        } catch (java.io.IOException | RuntimeException e) {
            return -1;
        }
    }
}
