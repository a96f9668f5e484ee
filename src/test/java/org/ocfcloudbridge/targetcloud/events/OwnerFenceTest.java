package org.ocfcloudbridge.targetcloud.events;

import io.quarkus.narayana.jta.QuarkusTransaction;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The owner's fence (on H2 in this JVM, on PostgreSQL as advisory locks): sign-ups of one owner hold it together, a
 * devices-level subscription's first read holds it alone, and every hold ends with its transaction.
 */
@QuarkusTest
class OwnerFenceTest {

    private static final long WAIT_SECONDS = 20;

    @Inject
    OwnerFence fence;

    private final ExecutorService threads = Executors.newCachedThreadPool();

    @AfterEach
    void stopThreads() {
        threads.shutdownNow();
    }

    /** A transaction of its own holding the fence until {@link #end}. */
    private final class Hold {
        final CountDownLatch held = new CountDownLatch(1);
        final CountDownLatch release = new CountDownLatch(1);
        final CompletableFuture<Void> done;

        Hold(String owner, boolean exclusive) {
            done = CompletableFuture.runAsync(() -> QuarkusTransaction.requiringNew().run(() -> {
                if (exclusive) {
                    fence.exclusive(owner);
                } else {
                    fence.shared(owner);
                }
                held.countDown();
                try {
                    assertTrue(release.await(WAIT_SECONDS, TimeUnit.SECONDS), "released");
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }), threads);
        }

        /** Whether it took the fence within {@code millis}. */
        boolean heldWithin(long millis) throws InterruptedException {
            return held.await(millis, TimeUnit.MILLISECONDS);
        }

        /** Commits, and waits for the commit. */
        void end() throws Exception {
            release.countDown();
            done.get(WAIT_SECONDS, TimeUnit.SECONDS);
        }
    }

    private static final long WAITED = TimeUnit.SECONDS.toMillis(WAIT_SECONDS);

    @Test
    void signUpsOfOneOwnerDoNotWaitForEachOther() throws Exception {
        String owner = "owner-" + UUID.randomUUID();
        Hold first = new Hold(owner, false);
        assertTrue(first.heldWithin(WAITED));
        // While the first sign-up's transaction is open, a second one of the same owner takes the fence and commits.
        Hold second = new Hold(owner, false);
        assertTrue(second.heldWithin(WAITED), "the second sign-up took the fence while the first held it");
        second.end();
        assertTrue(!first.done.isDone(), "the first sign-up was still in its transaction");
        first.end();
    }

    @Test
    void aSubscriptionWaitsForTheSignUpInFlightAndTheNextSignUpWaitsForTheSubscription() throws Exception {
        String owner = "owner-" + UUID.randomUUID();
        Hold signUp = new Hold(owner, false);
        assertTrue(signUp.heldWithin(WAITED));
        Hold subscription = new Hold(owner, true);
        // It cannot take the fence while the sign-up's transaction is open (a bounded look: it must not happen at all).
        assertTrue(!subscription.heldWithin(500), "the subscription waited for the sign-up");
        signUp.end();
        assertTrue(subscription.heldWithin(WAITED), "the subscription took the fence after the sign-up's commit");

        // A sign-up now waits for the subscription's transaction.
        Hold next = new Hold(owner, false);
        assertTrue(!next.heldWithin(500), "the next sign-up waited for the subscription");
        subscription.end();
        assertTrue(next.heldWithin(WAITED), "the next sign-up took the fence after the subscription's commit");
        next.end();
    }

    @Test
    void anotherOwnersSubscriptionDoesNotWaitForThisOwnersSignUps() throws Exception {
        String owner = "owner-" + UUID.randomUUID();
        Hold signUp = new Hold(owner, false);
        assertTrue(signUp.heldWithin(WAITED));
        // Owners that share an H2 stripe would wait: pick one that does not.
        String other;
        do {
            other = "owner-" + UUID.randomUUID();
        } while (Math.floorMod(other.hashCode(), OwnerFence.STRIPES) == Math.floorMod(owner.hashCode(), OwnerFence.STRIPES));
        Hold subscription = new Hold(other, true);
        assertTrue(subscription.heldWithin(WAITED), "another owner's subscription took its fence at once");
        subscription.end();
        signUp.end();
    }
}
