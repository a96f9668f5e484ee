package org.ocfcloudbridge.origin.forward;

import io.quarkus.narayana.jta.QuarkusTransaction;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import org.junit.jupiter.api.Test;
import org.ocfcloudbridge.store.VendorEvent;

import java.util.List;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Vendor event ids follow commit order: a reader resuming "after id N" (the event stream, the webhook sender) must
 * never pass over an id that commits later. Writers take the order lock before their first insert and hold it to
 * commit, so a second writer waits for the first's commit before it takes an id.
 */
@QuarkusTest
class VendorEventOrderTest {

    @Inject
    VendorEvents events;

    @Test
    void aWriterThatCameSecondTakesItsIdAfterTheFirstCommits() throws Exception {
        String user = "order-" + UUID.randomUUID();
        UUID link = UUID.randomUUID();
        CountDownLatch held = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        CompletableFuture<Void> first = CompletableFuture.runAsync(() -> QuarkusTransaction.requiringNew().run(() -> {
            events.holdOrder();
            held.countDown();
            try {
                assertTrue(release.await(30, TimeUnit.SECONDS), "released");
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException(e);
            }
            events.record(user, link, null, VendorEvents.LINK_STATE, "{\"who\":\"first\"}");
        }));
        assertTrue(held.await(30, TimeUnit.SECONDS), "the first writer holds the order");

        Thread[] second = new Thread[1];
        CompletableFuture<Void> secondDone = new CompletableFuture<>();
        second[0] = new Thread(() -> {
            try {
                QuarkusTransaction.requiringNew().run(() -> events.record(user, link, null, VendorEvents.LINK_STATE,
                        "{\"who\":\"second\"}"));
                secondDone.complete(null);
            } catch (RuntimeException e) {
                secondDone.completeExceptionally(e);
            }
        }, "second-writer");
        second[0].start();
        // Until the second writer waits inside the database driver (for the lock, as it should) or has finished (it
        // did not wait): then the first records and commits.
        long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (!secondDone.isDone() && !waitsInTheDatabase(second[0])) {
            assertTrue(System.nanoTime() < end, "the second writer neither waits nor ends");
            Thread.onSpinWait();
        }
        release.countDown();
        first.get(30, TimeUnit.SECONDS);
        secondDone.get(30, TimeUnit.SECONDS);

        List<String> inIdOrder = QuarkusTransaction.requiringNew().call(() -> VendorEvent.<VendorEvent>list(
                "vendorUser = ?1 order by id", user)).stream().map(e -> e.payload).toList();
        assertEquals(List.of("{\"who\":\"first\"}", "{\"who\":\"second\"}"), inIdOrder,
                "the id of the event committed first is the lower one");
    }

    /** Outside a transaction the order lock would be let go at once: recording there is refused, not done unordered. */
    @Test
    void anEventRecordedOutsideATransactionIsRefused() {
        String user = "order-" + UUID.randomUUID();
        assertThrows(IllegalStateException.class, () -> events.record(user, UUID.randomUUID(), null,
                VendorEvents.LINK_STATE, "{}"));
        assertEquals(0L, QuarkusTransaction.requiringNew().call(() -> VendorEvent.count("vendorUser", user)));
    }

    private static boolean waitsInTheDatabase(Thread t) {
        Thread.State state = t.getState();
        if (state != Thread.State.WAITING && state != Thread.State.TIMED_WAITING && state != Thread.State.RUNNABLE) {
            return false;
        }
        // PostgreSQL's driver waits in a socket read (RUNNABLE), H2 in its own lock wait (TIMED_WAITING).
        for (StackTraceElement f : t.getStackTrace()) {
            if (f.getClassName().startsWith("org.h2.") && state != Thread.State.RUNNABLE
                    || f.getClassName().startsWith("org.postgresql.core.") && f.getMethodName().contains("receive")) {
                return true;
            }
        }
        return false;
    }
}
