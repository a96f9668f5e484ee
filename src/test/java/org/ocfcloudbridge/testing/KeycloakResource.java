package org.ocfcloudbridge.testing;

import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;

import java.io.IOException;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * A real Keycloak 26.7.3 with the realm in src/test/resources/keycloak. CI starts one and names it in
 * BRIDGE_TEST_KEYCLOAK_ISSUER; otherwise this resource starts one with scripts/keycloak.sh and stops it afterwards.
 */
public class KeycloakResource implements QuarkusTestResourceLifecycleManager {

    public static final String CALLBACK_PORT = "test.ocfbridge.keycloak-callback-port";
    public static final String ISSUER = "test.ocfbridge.keycloak-issuer";
    private boolean startedHere;

    @Override
    public Map<String, String> start() {
        String issuer = System.getenv("BRIDGE_TEST_KEYCLOAK_ISSUER");
        if (issuer == null || issuer.isBlank()) {
            issuer = run("start", "18180");
            startedHere = true;
        }
        int callbackPort = freePort();
        System.setProperty(CALLBACK_PORT, Integer.toString(callbackPort));
        System.setProperty(ISSUER, issuer);
        return Map.of(
                "bridge.identity.providers.keycloak.issuer", issuer,
                "bridge.identity.providers.keycloak.client-id", "ocf-bridge",
                "bridge.identity.providers.keycloak.client-secret", "ocf-bridge-secret",
                "bridge.identity.providers.keycloak.audience", "ocf-bridge",
                "bridge.identity.providers.keycloak.scope-map.\"email\"", "x:email",
                "bridge.identity.providers.keycloak.device-redirect-uri", "http://127.0.0.1:" + callbackPort + "/callback");
    }

    @Override
    public void stop() {
        if (startedHere) {
            run("stop");
        }
    }

    private static String run(String... args) {
        Path script = Path.of("scripts/keycloak.sh").toAbsolutePath();
        try {
            Path out = Files.createTempFile("keycloak", ".out");
            String[] cmd = new String[args.length + 2];
            cmd[0] = "bash";
            cmd[1] = script.toString();
            System.arraycopy(args, 0, cmd, 2, args.length);
            Process p = new ProcessBuilder(cmd).redirectOutput(out.toFile()).redirectError(ProcessBuilder.Redirect.INHERIT).start();
            if (!p.waitFor(6, TimeUnit.MINUTES)) {
                p.destroyForcibly();
                throw new IllegalStateException("scripts/keycloak.sh " + String.join(" ", args) + " did not finish");
            }
            if (p.exitValue() != 0) {
                throw new IllegalStateException("scripts/keycloak.sh " + String.join(" ", args) + " failed (" + p.exitValue() + ")");
            }
            return Files.readString(out).strip();
        } catch (IOException e) {
            throw new IllegalStateException("cannot run " + script, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    private static int freePort() {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }
}
