package org.ocfcloudbridge.cluster;

import io.quarkus.narayana.jta.QuarkusTransaction;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;
import jakarta.inject.Inject;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIf;
import org.ocfcloudbridge.identity.SigningKeys;
import org.ocfcloudbridge.identity.TokenVerifier;
import org.ocfcloudbridge.ocf.Protocol;
import org.ocfcloudbridge.testing.OAuthTestClient;
import org.ocfcloudbridge.origin.link.TargetClient;
import org.ocfcloudbridge.store.DataCipher;
import org.ocfcloudbridge.store.LinkedAccount;
import org.ocfcloudbridge.store.LinkedCloud;
import org.ocfcloudbridge.store.SigningKey;

import java.nio.charset.StandardCharsets;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.spec.ECGenParameterSpec;
import java.time.Duration;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.Base64;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;

import static io.restassured.RestAssured.given;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * This daemon in cluster mode is one instance; a {@link ClusterBus} of the test's own on the same NATS server is
 * another. What one changes, the other drops from its caches. Cluster mode needs PostgreSQL: this runs in the
 * PostgreSQL run ({@code bin/test --postgresql}), which sets {@code BRIDGE_TEST_NATS_URL}.
 */
@QuarkusTest
@TestProfile(ClusterModeProfile.class)
@EnabledIf("org.ocfcloudbridge.cluster.TestNats#clusterModeCanRun")
class CacheInvalidationTest {

    private static final Duration WAIT = Duration.ofSeconds(15);

    @Inject
    ClusterBus bus;
    @Inject
    SigningKeys keys;
    @Inject
    TargetClient target;
    @Inject
    DataCipher cipher;
    @Inject
    TokenVerifier verifier;

    private ClusterBus other;
    private final List<String> heardThere = new CopyOnWriteArrayList<>();

    @BeforeEach
    void anotherInstance() {
        other = TestNats.anotherInstance(b -> {
            for (String subject : new String[] {ClusterSubjects.LINK_SESSION, ClusterSubjects.LINKED_CLOUD, ClusterSubjects.SIGNING_KEYS,
                    ClusterSubjects.GRANT_REVOKED}) {
                b.subscribe(subject, body -> heardThere.add(subject + " " + new String(body, StandardCharsets.UTF_8)));
            }
        });
        assertTrue(bus.connected(), "this daemon is connected to the bus");
    }

    @AfterEach
    void stopTheOther() {
        other.close();
    }

    @Test
    void aSigningKeyAddedOnAnotherInstanceIsPublishedHereAtOnce() throws Exception {
        String kid = QuarkusTransaction.requiringNew().call(this::keyMadeElsewhere);
        assertFalse(published(kid), "not before the other instance says so");

        other.publish(ClusterSubjects.SIGNING_KEYS, new byte[0]);
        TestNats.await("this instance publishes the key the other one added", WAIT, () -> published(kid));

        QuarkusTransaction.requiringNew().run(() ->
                SigningKey.update("retiredAt = ?1 where kid = ?2", OffsetDateTime.now(ZoneOffset.UTC), kid));
        other.publish(ClusterSubjects.SIGNING_KEYS, new byte[0]);
        TestNats.await("the key retired elsewhere is withdrawn here", WAIT, () -> !published(kid));
    }

    @Test
    void aRotationHereIsAnnouncedToTheOtherInstances() throws Exception {
        String before = keys.active().kid();
        keys.rotate();
        TestNats.await("the other instance hears of the rotation", WAIT,
                () -> heardThere.contains(ClusterSubjects.SIGNING_KEYS + " "));
        // One published key again, as the suite's later tests (on the same database) expect of a fresh daemon: the
        // PostgreSQL run failed BearerTokensAndAdminApiTest and SigningKeyRotationTest on the key left published here.
        keys.retire(before);
    }

    @Test
    void aLinkChangedOnAnotherInstanceDropsItsSessionHere() throws Exception {
        UUID link = linkWithCachedSession();
        other.publish(ClusterSubjects.LINK_SESSION, link.toString().getBytes(StandardCharsets.UTF_8));
        TestNats.await("the link's session is dropped here", WAIT, () -> !target.cached(link));
    }

    @Test
    void aCloudChangedOnAnotherInstanceDropsTheSessionsOfItsLinksHere() throws Exception {
        UUID link = linkWithCachedSession();
        String cloud = QuarkusTransaction.requiringNew().call(() -> LinkedAccount.<LinkedAccount>findById(link).cloudName);
        other.publish(ClusterSubjects.LINKED_CLOUD, cloud.getBytes(StandardCharsets.UTF_8));
        TestNats.await("the cloud's sessions are dropped here", WAIT, () -> !target.cached(link));
    }

    @Test
    void aLinkForgottenHereIsAnnouncedToTheOtherInstances() throws Exception {
        UUID link = linkWithCachedSession();
        target.forget(link);
        assertFalse(target.cached(link));
        TestNats.await("the other instance hears of the link", WAIT,
                () -> heardThere.contains(ClusterSubjects.LINK_SESSION + " " + link));
    }

    @Test
    void aGrantRevokedOnAnotherInstanceStopsItsTokensHereAtOnce() throws Exception {
        UUID grant = verifier.grantOfOwnToken(OAuthTestClient.adminToken());
        assertFalse(verifier.isRevoked(grant));
        // Only the message says so (the row stays as it is): this instance would otherwise re-read it within seconds.
        other.publish(ClusterSubjects.GRANT_REVOKED, grant.toString().getBytes(StandardCharsets.UTF_8));
        TestNats.await("the grant counts as revoked here", WAIT, () -> verifier.isRevoked(grant));
    }

    @Test
    void aGrantRevokedHereIsAnnouncedToTheOtherInstances() throws Exception {
        String token = OAuthTestClient.adminToken();
        UUID grant = verifier.grantOfOwnToken(token);
        given().auth().preemptive().basic("bridge-admin", OAuthTestClient.ADMIN_SECRET).formParam("token", token)
                .post(Protocol.HttpPaths.REVOKE).then().statusCode(200);
        TestNats.await("the other instance hears of the revocation", WAIT,
                () -> heardThere.contains(ClusterSubjects.GRANT_REVOKED + " " + grant));
    }

    private boolean published(String kid) {
        return keys.publishedKeys().stream().anyMatch(k -> kid.equals(k.getKeyId()));
    }

    /** A key stored as another instance's rotation stores it: in the shared database, without this one knowing. */
    private String keyMadeElsewhere() throws Exception {
        KeyPairGenerator gen = KeyPairGenerator.getInstance("EC");
        gen.initialize(new ECGenParameterSpec("secp256r1"));
        KeyPair pair = gen.generateKeyPair();
        SigningKey k = new SigningKey();
        k.kid = "elsewhere-" + UUID.randomUUID().toString().substring(0, 6);
        k.algorithm = SigningKeys.ALGORITHM;
        k.publicKey = Base64.getEncoder().encodeToString(pair.getPublic().getEncoded());
        k.privateKey = cipher.seal(Base64.getEncoder().encodeToString(pair.getPrivate().getEncoded()));
        // Older than the keys this instance has: the key that signs here stays the one it was.
        k.createdAt = OffsetDateTime.now(ZoneOffset.UTC).minusYears(1);
        k.persist();
        return k.kid;
    }

    /** A linked account whose session this instance has cached (its cloud's API is a closed loopback port). */
    private UUID linkWithCachedSession() throws Exception {
        String cloud = "c" + UUID.randomUUID().toString().substring(0, 8);
        UUID link = UUID.randomUUID();
        QuarkusTransaction.requiringNew().run(() -> {
            LinkedCloud c = new LinkedCloud();
            c.name = cloud;
            c.apiUrl = "http://127.0.0.1:9/api/v1";
            c.authorizationEndpoint = "http://127.0.0.1:9/authorize";
            c.tokenEndpoint = "http://127.0.0.1:9/token";
            c.clientId = "bridge";
            c.scopes = "openid";
            c.createdAt = OffsetDateTime.now(ZoneOffset.UTC);
            c.persist();
            LinkedAccount a = new LinkedAccount();
            a.id = link;
            a.vendorUser = "vendor-" + link;
            a.cloudName = cloud;
            a.accessToken = cipher.seal("access-" + link);
            a.tokenExpiresAt = OffsetDateTime.now(ZoneOffset.UTC).plusHours(1);
            a.state = LinkedAccount.State.LINKED;
            a.createdAt = OffsetDateTime.now(ZoneOffset.UTC);
            a.updatedAt = a.createdAt;
            a.persist();
        });
        // The call fails (nothing listens there); the session it opened stays cached.
        target.callAsync(null, link, "GET", "/devices", "application/json", null, null).toCompletableFuture()
                .handle((a, e) -> null).get(30, TimeUnit.SECONDS);
        assertTrue(target.cached(link), "the session is cached after a call");
        return link;
    }
}
