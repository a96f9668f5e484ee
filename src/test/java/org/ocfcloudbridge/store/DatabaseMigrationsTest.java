package org.ocfcloudbridge.store;

import io.quarkus.test.junit.QuarkusTest;
import io.agroal.api.AgroalDataSource;
import jakarta.inject.Inject;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.flywaydb.core.Flyway;
import org.flywaydb.core.api.MigrationInfo;
import org.flywaydb.core.api.MigrationState;
import org.junit.jupiter.api.Test;

import java.sql.Connection;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.Callable;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Runs on whichever database the build targets: H2 by default, PostgreSQL with -Ppostgresql. */
@QuarkusTest
class DatabaseMigrationsTest {

    @Inject
    Flyway flyway;

    @Inject
    Settings settings;

    @ConfigProperty(name = "quarkus.datasource.db-kind")
    String dbKind;

    @Test
    void everyMigrationIsAppliedAndNoneIsPending() {
        MigrationInfo[] applied = flyway.info().applied();
        assertTrue(applied.length >= 1, "no migration applied on " + dbKind);
        for (MigrationInfo m : applied) {
            assertEquals(MigrationState.SUCCESS, m.getState(), m.getScript() + " on " + dbKind);
        }
        assertEquals(0, flyway.info().pending().length, "pending migrations on " + dbKind);
        assertEquals("1", applied[0].getVersion().getVersion());
    }

    @Inject
    AgroalDataSource dataSource;

    /** CI sets BRIDGE_TEST_EXPECT_DATABASE so that a PostgreSQL run that quietly fell back to H2 fails. */
    @Test
    void theDatabaseIsTheOneThisBuildTargets() throws Exception {
        String product;
        try (Connection c = dataSource.getConnection()) {
            product = c.getMetaData().getDatabaseProductName();
        }
        assertEquals(dbKind.equals("postgresql") ? "PostgreSQL" : "H2", product);
        String expected = System.getenv("BRIDGE_TEST_EXPECT_DATABASE");
        if (expected != null && !expected.isBlank()) {
            assertEquals(expected, product);
        }
    }

    @Test
    void aSettingIsCreatedOnceAndNeverOverwritten() {
        String name = "test." + UUID.randomUUID();
        assertEquals("first", settings.getOrCreate(name, () -> "first"));
        assertEquals("first", settings.getOrCreate(name, () -> "second"));
    }

    @Test
    void concurrentCreatorsAgreeOnOneValue() throws Exception {
        String name = "race." + UUID.randomUUID();
        int threads = 4;
        CyclicBarrier start = new CyclicBarrier(threads);
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        try {
            List<Future<String>> results = new ArrayList<>();
            for (int i = 0; i < threads; i++) {
                String mine = "value-" + i;
                Callable<String> task = () -> {
                    start.await(10, TimeUnit.SECONDS);
                    return settings.getOrCreate(name, () -> mine);
                };
                results.add(pool.submit(task));
            }
            Set<String> seen = results.stream().map(f -> {
                try {
                    return f.get(30, TimeUnit.SECONDS);
                } catch (Exception e) {
                    throw new AssertionError(e);
                }
            }).collect(Collectors.toSet());
            assertEquals(1, seen.size(), "creators disagree: " + seen);
            assertEquals(seen.iterator().next(), settings.getOrCreate(name, () -> "late"));
        } finally {
            pool.shutdownNow();
        }
    }
}
