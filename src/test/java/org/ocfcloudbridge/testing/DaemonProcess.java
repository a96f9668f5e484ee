package org.ocfcloudbridge.testing;

import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/** The packaged daemon run as a real process, the way the README starts it: {@code java -jar quarkus-run.jar}. */
public final class DaemonProcess implements AutoCloseable {

    private final Path workDir;
    private final Map<String, String> properties = new LinkedHashMap<>();
    private final Map<String, String> environment = new LinkedHashMap<>();
    private final int httpPort;
    private final Path output;
    private Process process;

    public DaemonProcess(Path workDir) throws IOException {
        this.workDir = Files.createDirectories(workDir);
        this.httpPort = freePort();
        this.output = workDir.resolve("daemon-" + httpPort + ".log");
        properties.put("quarkus.http.port", Integer.toString(httpPort));
    }

    public static Path jar() {
        String jar = System.getProperty("bridge.it.jar");
        if (jar == null || !Files.isRegularFile(Path.of(jar))) {
            throw new IllegalStateException("bridge.it.jar does not name the packaged daemon (run through ./mvnw verify): " + jar);
        }
        return Path.of(jar);
    }

    public static Path workRoot() {
        return Path.of(System.getProperty("bridge.it.work", "target/it-work"));
    }

    public DaemonProcess with(String key, String value) {
        properties.put(key, value);
        return this;
    }

    /** An environment variable of the daemon (how the README passes secrets). */
    public DaemonProcess env(String name, String value) {
        environment.put(name, value);
        return this;
    }

    public int httpPort() {
        return httpPort;
    }

    public DaemonProcess start() throws IOException {
        List<String> cmd = new ArrayList<>();
        cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        cmd.add("-Xmx256m");
        properties.forEach((k, v) -> cmd.add("-D" + k + "=" + v));
        cmd.add("-jar");
        cmd.add(jar().toAbsolutePath().toString());
        ProcessBuilder pb = new ProcessBuilder(cmd).directory(workDir.toFile()).redirectErrorStream(true)
                .redirectOutput(output.toFile());
        // The daemon must not pick up a database URL meant for the test JVM.
        pb.environment().keySet().removeIf(k -> k.startsWith("QUARKUS_") || k.startsWith("BRIDGE_"));
        pb.environment().putAll(environment);
        process = pb.start();
        return this;
    }

    /** Waits for the process to end by itself (a failed start) and returns its exit code. */
    public int awaitExit(Duration timeout) throws InterruptedException {
        if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
            process.destroyForcibly();
            throw new AssertionError("the daemon did not exit within " + timeout + "; output:\n" + output());
        }
        return process.exitValue();
    }

    /** Polls readiness until it answers 200; returns how long that took from the call. */
    public Duration awaitReady(Duration timeout) throws IOException, InterruptedException {
        Instant start = Instant.now();
        Instant deadline = start.plus(timeout);
        HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(1)).build();
        while (Instant.now().isBefore(deadline)) {
            if (!process.isAlive()) {
                throw new AssertionError("the daemon exited with " + process.exitValue() + " before it was ready:\n" + output());
            }
            try {
                HttpResponse<String> r = http.send(HttpRequest.newBuilder(uri("/q/health/ready")).timeout(Duration.ofSeconds(2)).build(),
                        HttpResponse.BodyHandlers.ofString());
                if (r.statusCode() == 200) {
                    return Duration.between(start, Instant.now());
                }
            } catch (IOException notYet) {
                // not listening yet
            }
            Thread.sleep(50);
        }
        throw new AssertionError("the daemon was not ready within " + timeout + ":\n" + output());
    }

    public URI uri(String path) {
        return URI.create("http://127.0.0.1:" + httpPort + path);
    }

    public String get(String path) throws IOException, InterruptedException {
        HttpResponse<String> r = HttpClient.newHttpClient().send(HttpRequest.newBuilder(uri(path)).build(),
                HttpResponse.BodyHandlers.ofString());
        if (r.statusCode() != 200) {
            throw new AssertionError("GET " + path + " answered " + r.statusCode() + ": " + r.body());
        }
        return r.body();
    }

    /** Bytes of output so far: a mark for {@link #outputFrom}. */
    public long outputSize() {
        try {
            return Files.exists(output) ? Files.size(output) : 0;
        } catch (IOException e) {
            return 0;
        }
    }

    /** The output written after {@code mark} (from {@link #outputSize}). */
    public String outputFrom(long mark) {
        try {
            byte[] all = Files.exists(output) ? Files.readAllBytes(output) : new byte[0];
            int from = (int) Math.min(mark, all.length);
            return new String(all, from, all.length - from, java.nio.charset.StandardCharsets.UTF_8);
        } catch (IOException e) {
            return "(cannot read " + output + ": " + e + ")";
        }
    }

    public String output() {
        try {
            return Files.exists(output) ? Files.readString(output) : "";
        } catch (IOException e) {
            return "(cannot read " + output + ": " + e + ")";
        }
    }

    /** Stops the daemon as an operator or a service manager would (SIGTERM) and returns its exit code. */
    public int stop() throws InterruptedException {
        if (process == null) {
            return -1;
        }
        process.destroy();
        if (!process.waitFor(30, TimeUnit.SECONDS)) {
            process.destroyForcibly();
            process.waitFor(10, TimeUnit.SECONDS);
        }
        return process.exitValue();
    }

    /** Kills the daemon without warning (SIGKILL), as a crash or an OOM killer would. */
    public void kill() throws InterruptedException {
        if (process != null) {
            process.destroyForcibly();
            process.waitFor(30, TimeUnit.SECONDS);
        }
    }

    @Override
    public void close() throws InterruptedException {
        if (process != null && process.isAlive()) {
            stop();
        }
    }

    /** A port free on loopback now (the daemons' and the tests' own listeners). */
    public static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        }
    }
}
