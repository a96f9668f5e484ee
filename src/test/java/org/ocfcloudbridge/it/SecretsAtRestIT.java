package org.ocfcloudbridge.it;

import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;
import org.ocfcloudbridge.config.EmbeddedDatabaseUrl;
import org.ocfcloudbridge.testing.DaemonProcess;

import javax.crypto.Cipher;
import javax.crypto.spec.GCMParameterSpec;
import javax.crypto.spec.SecretKeySpec;
import java.net.ServerSocket;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.util.Arrays;
import java.util.Base64;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.UUID;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * What an attacker who can read the daemon's files finds: the packaged daemon keeps its data folder to itself, and its
 * database holds no signing key and no demo password in clear. A database made by the version that stored the signing
 * key in clear still starts, and the tokens that key signed still verify.
 */
class SecretsAtRestIT {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Pattern READY = Pattern.compile("sign in as \"demo\" with password \"([^\"]+)\"");
    private static final String ADMIN_SECRET = "it-admin-secret-0123456789";

    /** What every PKCS#8 EC private key starts with after its length: version 0, then the id-ecPublicKey algorithm. */
    private static final byte[] PKCS8_EC = HexFormat.of().parseHex("020100301306072a8648ce3d0201");

    @Test
    void theDataFolderIsPrivateAndTheDatabaseHoldsNoPrivateKeyNorTheDemoPasswordInClear() throws Exception {
        Path work = DaemonProcess.workRoot().resolve("at-rest-" + UUID.randomUUID());
        String password;
        try (DaemonProcess d = new DaemonProcess(work)) {
            d.with("bridge.demo.enabled", "true").with("bridge.coap.tcp-port", Integer.toString(freePort(d.httpPort())))
                    .with("bridge.coap.tls-port", Integer.toString(freePort(d.httpPort())))
                    .with("bridge.public-url", "http://localhost:" + d.httpPort()).start();
            d.awaitReady(Duration.ofSeconds(60));
            password = awaitPassword(d);
            assertEquals(0, exitCodeIgnoringSigterm(d.stop()), d.output());
        }
        Path data = work.resolve("data");
        assertEquals("rwx------", PosixFilePermissions.toString(Files.getPosixFilePermissions(data)), "the data folder's mode");
        int files = 0;
        try (DirectoryStream<Path> all = Files.newDirectoryStream(data)) {
            for (Path f : all) {
                files++;
                assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(f)), "the mode of " + f.getFileName());
            }
        }
        assertTrue(files >= 3, "the database, the data key and the TLS key are in the folder");

        byte[] db = Files.readAllBytes(data.resolve("bridge.mv.db"));
        assertNoPrivateKey(db);
        assertFalse(contains(db, password.getBytes(StandardCharsets.UTF_8)), "the demo password is in the database in clear");
    }

    @Test
    void aDatabaseWithTheSigningKeyInClearStillStartsItsTokensStillVerifyAndTheKeyIsSealed() throws Exception {
        Path work = DaemonProcess.workRoot().resolve("old-keys-" + UUID.randomUUID());
        byte[] dataKey = new byte[32];
        new java.security.SecureRandom().nextBytes(dataKey);
        String token;
        try (DaemonProcess d = daemon(work).with("bridge.data-key", Base64.getEncoder().encodeToString(dataKey)).start()) {
            d.awaitReady(Duration.ofSeconds(60));
            token = adminToken(d);
            assertEquals(200, call(d, "/api/admin/clouds", token));
            assertEquals(0, exitCodeIgnoringSigterm(d.stop()), d.output());
        }

        // Turn the database into what the previous version wrote: the private key as plain base64 PKCS#8.
        Path data = work.resolve("data");
        Map<String, String> plain = new LinkedHashMap<>();
        try (Connection c = DriverManager.getConnection(EmbeddedDatabaseUrl.h2FileUrl(data))) {
            try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery("select kid, private_key from signing_key")) {
                while (rs.next()) {
                    assertTrue(rs.getString(2).startsWith("v1."), "a new key is stored sealed");
                    plain.put(rs.getString(1), open(dataKey, rs.getString(2)));
                }
            }
            assertFalse(plain.isEmpty());
            try (PreparedStatement p = c.prepareStatement("update signing_key set private_key = ? where kid = ?")) {
                for (Map.Entry<String, String> e : plain.entrySet()) {
                    p.setString(1, e.getValue());
                    p.setString(2, e.getKey());
                    assertEquals(1, p.executeUpdate());
                }
            }
        }

        // The older name of the data key is still read.
        try (DaemonProcess d = daemon(work).with("bridge.origin.token-key", Base64.getEncoder().encodeToString(dataKey)).start()) {
            d.awaitReady(Duration.ofSeconds(60));
            assertEquals(200, call(d, "/api/admin/clouds", token), "a token signed before the upgrade still verifies");
            assertTrue(d.output().contains("sealed 1 token signing key(s) that an older version stored in clear"), d.output());
            assertNotEquals(token, adminToken(d));
            assertEquals(0, exitCodeIgnoringSigterm(d.stop()), d.output());
        }
        try (Connection c = DriverManager.getConnection(EmbeddedDatabaseUrl.h2FileUrl(data));
             Statement s = c.createStatement(); ResultSet rs = s.executeQuery("select kid, private_key from signing_key")) {
            while (rs.next()) {
                assertTrue(rs.getString(2).startsWith("v1."), "the key stored in clear is sealed now");
                assertEquals(plain.get(rs.getString(1)), open(dataKey, rs.getString(2)), "the same key, sealed");
            }
        }
        byte[] db = Files.readAllBytes(data.resolve("bridge.mv.db"));
        for (String key : plain.values()) {
            assertFalse(contains(db, key.getBytes(StandardCharsets.US_ASCII)), "the key once stored in clear is still in the database file");
        }
    }

    private static DaemonProcess daemon(Path work) throws Exception {
        DaemonProcess d = new DaemonProcess(work);
        return d.with("bridge.identity.admin-secret", ADMIN_SECRET).with("bridge.coap.tcp-port", Integer.toString(freePort(d.httpPort())))
                .with("bridge.coap.tls-port", "0");
    }

    private static String adminToken(DaemonProcess d) throws Exception {
        HttpResponse<String> r = HttpClient.newHttpClient().send(HttpRequest.newBuilder(d.uri("/oauth2/token"))
                .header("Authorization", "Basic " + Base64.getEncoder().encodeToString(("bridge-admin:" + ADMIN_SECRET).getBytes(StandardCharsets.UTF_8)))
                .header("Content-Type", "application/x-www-form-urlencoded")
                .POST(HttpRequest.BodyPublishers.ofString("grant_type=client_credentials")).build(), HttpResponse.BodyHandlers.ofString());
        assertEquals(200, r.statusCode(), r.body());
        return JSON.readTree(r.body()).path("access_token").asText();
    }

    private static int call(DaemonProcess d, String path, String token) throws Exception {
        return HttpClient.newHttpClient().send(HttpRequest.newBuilder(d.uri(path)).header("Authorization", "Bearer " + token).build(),
                HttpResponse.BodyHandlers.discarding()).statusCode();
    }

    /** The test opens the sealed value itself (AES-256-GCM, nonce ‖ ciphertext ‖ tag) rather than through product code. */
    private static String open(byte[] key, String sealed) throws Exception {
        byte[] all = Base64.getDecoder().decode(sealed.substring(3));
        Cipher c = Cipher.getInstance("AES/GCM/NoPadding");
        c.init(Cipher.DECRYPT_MODE, new SecretKeySpec(key, "AES"), new GCMParameterSpec(128, all, 0, 12));
        return new String(c.doFinal(all, 12, all.length - 12), StandardCharsets.UTF_8);
    }

    /** A private key as raw DER, in PEM, or as base64 at any of the three byte alignments base64 can start at. */
    private static void assertNoPrivateKey(byte[] file) {
        assertFalse(contains(file, "-----BEGIN".getBytes(StandardCharsets.US_ASCII)), "PEM in the database file");
        assertFalse(contains(file, PKCS8_EC), "a DER private key in the database file");
        for (int shift = 0; shift < 3; shift++) {
            byte[] shifted = new byte[shift + PKCS8_EC.length];
            System.arraycopy(PKCS8_EC, 0, shifted, shift, PKCS8_EC.length);
            String b64 = Base64.getEncoder().encodeToString(shifted);
            // Drop the characters that depend on the bytes before the pattern and after it.
            int from = shift == 0 ? 0 : 4;
            int to = (shifted.length / 3) * 4;
            String inner = b64.substring(from, to);
            assertFalse(contains(file, inner.getBytes(StandardCharsets.US_ASCII)), "a base64 PKCS#8 private key (" + inner + ") in the database file");
        }
    }

    private static boolean contains(byte[] hay, byte[] needle) {
        outer:
        for (int i = 0; i + needle.length <= hay.length; i++) {
            for (int j = 0; j < needle.length; j++) {
                if (hay[i + j] != needle[j]) {
                    continue outer;
                }
            }
            return true;
        }
        return false;
    }

    private static String awaitPassword(DaemonProcess d) throws InterruptedException {
        long end = System.nanoTime() + 30_000_000_000L;
        while (System.nanoTime() < end) {
            Matcher m = READY.matcher(d.output());
            if (m.find()) {
                return m.group(1);
            }
            Thread.sleep(100);
        }
        throw new AssertionError("the demo did not say it was ready:\n" + d.output());
    }

    /** 143 is how the JVM reports an exit on SIGTERM once its shutdown hooks have run. */
    private static int exitCodeIgnoringSigterm(int code) {
        return code == 143 ? 0 : code;
    }

    private static int freePort(int not) throws Exception {
        while (true) {
            try (ServerSocket s = new ServerSocket(0)) {
                if (s.getLocalPort() != not) {
                    return s.getLocalPort();
                }
            }
        }
    }
}
