package org.ocfcloudbridge.ops;

import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;
import io.restassured.response.Response;
import org.junit.jupiter.api.Test;
import org.ocfcloudbridge.testing.RelayedDatabaseProfile;

import java.time.Duration;
import java.time.Instant;

import static io.restassured.RestAssured.given;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.fail;

/** The database sits behind a relay the test cuts: readiness must go DOWN (503) and come back UP. */
@QuarkusTest
@TestProfile(RelayedDatabaseProfile.class)
class ReadinessFollowsTheDatabaseTest {

    @Test
    void readinessIsDownWhileTheDatabaseIsUnreachableAndUpAgainAfter() {
        awaitReadiness(200, "UP");
        RelayedDatabaseProfile.databaseReachable(false);
        try {
            Response down = awaitReadiness(503, "DOWN");
            assertEquals("DOWN", down.path("checks.find { it.name == 'Database connections health check' }.status"));
            // Liveness is about the process, not its dependencies: a restart would not bring the database back.
            given().get("/q/health/live").then().statusCode(200);
        } finally {
            RelayedDatabaseProfile.databaseReachable(true);
        }
        awaitReadiness(200, "UP");
    }

    private static Response awaitReadiness(int status, String state) {
        Instant deadline = Instant.now().plus(Duration.ofSeconds(45));
        Response last = null;
        while (Instant.now().isBefore(deadline)) {
            last = given().get("/q/health/ready");
            if (last.statusCode() == status && state.equals(last.path("status"))) {
                return last;
            }
            try {
                Thread.sleep(250);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                break;
            }
        }
        fail("readiness never became " + state + "; last answer " + (last == null ? "none" : last.statusCode() + " " + last.asString()));
        return last;
    }
}
