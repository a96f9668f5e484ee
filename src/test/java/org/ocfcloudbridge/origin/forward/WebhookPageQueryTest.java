package org.ocfcloudbridge.origin.forward;

import io.agroal.api.AgroalDataSource;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import org.junit.jupiter.api.Test;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.time.OffsetDateTime;

import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * The webhook sender's page read must cost a page, not the backlog: with a backlog of 10,000 deliveries H2 read and
 * sorted all of them, and checked each against every earlier one, for each page of 100 (O(backlog²); at 1,000 changes/s
 * none arrived). The plan, not a timing, is what is checked: H2's, the planner that chose wrong. PostgreSQL plans by
 * its statistics, which a test database's handful of rows does not make meaningful.
 */
@QuarkusTest
class WebhookPageQueryTest {

    @Inject
    AgroalDataSource dataSource;

    @Test
    void theNextPageWalksTheDueIndexInEventOrderAndStopsAfterThePage() throws Exception {
        try (Connection c = dataSource.getConnection()) {
            assumeTrue(c.getMetaData().getDatabaseProductName().equals("H2"), "H2's planner");
            try (PreparedStatement ps = c.prepareStatement("explain " + WebhookSender.READ)) {
                ps.setString(1, "bench");
                ps.setObject(2, OffsetDateTime.now());
                ps.setString(3, "me");
                ps.setObject(4, OffsetDateTime.now());
                try (ResultSet rs = ps.executeQuery()) {
                    assertTrue(rs.next());
                    String plan = rs.getString(1);
                    String outer = plan.substring(plan.indexOf("FROM"), plan.indexOf("INNER JOIN"));
                    assertTrue(outer.contains("webhook_delivery_due_ix"), "the page walks the due index:\n" + plan);
                    assertTrue(plan.contains("/* index sorted */"), "in the index's order, no sort of the backlog:\n" + plan);
                }
            }
        }
    }
}
