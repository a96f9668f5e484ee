package org.ocfcloudbridge.origin.proxy;

import io.quarkus.narayana.jta.QuarkusTransaction;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.response.Response;
import jakarta.inject.Inject;
import org.junit.jupiter.api.Test;
import org.ocfcloudbridge.origin.link.TargetClient;
import org.ocfcloudbridge.store.LinkedAccount;
import org.ocfcloudbridge.store.LinkedCloud;
import org.ocfcloudbridge.targetcloud.coap.CoapGateway;
import org.ocfcloudbridge.testing.OriginLinks;

import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.UUID;

import static io.restassured.RestAssured.given;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** A Target Cloud that cannot be reached: the proxy's 502 says what happened in words, not which Java exception. */
@QuarkusTest
class UnreachableTargetTest {

    @Inject
    CoapGateway gateway;

    @Inject
    TargetClient target;

    private void pointCloudAt(UUID link, String apiUrl) {
        QuarkusTransaction.requiringNew().run(() -> {
            LinkedAccount a = LinkedAccount.findById(link);
            LinkedCloud.update("apiUrl = ?1 where name = ?2", apiUrl, a.cloudName);
        });
        target.forget(link);
    }

    private static void assertWords(Response r, String expected) {
        assertEquals(502, r.statusCode(), r.asString());
        String reason = r.jsonPath().getString("error");
        assertTrue(reason.contains(expected), reason);
        assertFalse(reason.contains("Exception") || reason.contains("java.") || reason.contains("io.netty"), reason);
    }

    @Test
    void aRefusedOrDroppedConnectionIsSaidInWords() throws Exception {
        OriginLinks.Linked linked = OriginLinks.linkedDevice(gateway.tcpPort());
        try {
            UUID id = UUID.fromString(linked.link());
            OriginLinks.settled(linked.link());
            String path = "/api/v1/links/" + linked.link() + "/devices/" + linked.device().di() + "/switch";

            int closed;
            try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
                closed = s.getLocalPort();
            }
            pointCloudAt(id, "http://127.0.0.1:" + closed + "/api/v1");
            assertWords(given().auth().oauth2(linked.vendorToken()).get(path), "127.0.0.1 refused the connection");

            // A peer that takes the connection and drops it without a word.
            try (ServerSocket dropper = new ServerSocket(0, 10, InetAddress.getLoopbackAddress())) {
                Thread t = new Thread(() -> {
                    while (!dropper.isClosed()) {
                        try (Socket s = dropper.accept()) {
                            s.getInputStream().read(new byte[4096]);
                        } catch (Exception done) {
                            return;
                        }
                    }
                });
                t.setDaemon(true);
                t.start();
                pointCloudAt(id, "http://127.0.0.1:" + dropper.getLocalPort() + "/api/v1");
                assertWords(given().auth().oauth2(linked.vendorToken()).get(path), "127.0.0.1 closed the connection");
            }
        } finally {
            linked.device().shutdown();
        }
    }
}
