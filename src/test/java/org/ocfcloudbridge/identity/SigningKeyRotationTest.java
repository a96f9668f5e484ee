package org.ocfcloudbridge.identity;

import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import org.junit.jupiter.api.Test;
import org.ocfcloudbridge.testing.OAuthTestClient;

import java.util.Base64;
import java.util.List;

import static io.restassured.RestAssured.given;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** A rotation publishes a second key; tokens of the old one verify until it is retired. */
@QuarkusTest
class SigningKeyRotationTest {

    @Inject
    TokenVerifier verifier;

    @Test
    void rotationKeepsOldTokensValidUntilTheOldKeyIsRetired() throws Exception {
        String before = OAuthTestClient.adminToken();
        String oldKid = kid(before);
        String newKid = given().auth().oauth2(before).post("/api/admin/signing-keys").then().statusCode(201).extract().path("kid");
        assertNotEquals(oldKid, newKid);

        List<String> published = given().get("/oauth2/jwks").then().statusCode(200).extract().path("keys.kid");
        assertTrue(published.contains(oldKid) && published.contains(newKid), "published " + published);
        String after = OAuthTestClient.adminToken();
        assertEquals(newKid, kid(after), "the new key signs");
        verifier.verify(before);

        given().auth().oauth2(after).delete("/api/admin/signing-keys/" + newKid).then().statusCode(409);
        given().auth().oauth2(after).delete("/api/admin/signing-keys/no-such-kid").then().statusCode(404);
        given().auth().oauth2(after).delete("/api/admin/signing-keys/" + oldKid).then().statusCode(204);
        assertThrows(InvalidTokenException.class, () -> verifier.verify(before));
        verifier.verify(after);
        List<String> now = given().get("/oauth2/jwks").then().extract().path("keys.kid");
        assertEquals(List.of(newKid), now);
    }

    private static String kid(String jwt) {
        String header = new String(Base64.getUrlDecoder().decode(jwt.split("\\.")[0]));
        int i = header.indexOf("\"kid\":\"");
        return header.substring(i + 7, header.indexOf('"', i + 7));
    }
}
