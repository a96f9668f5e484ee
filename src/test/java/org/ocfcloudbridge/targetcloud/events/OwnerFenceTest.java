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

    /** Holds the fence in a transaction of its own until {@code release} opens; {@code held} opens once it is taken. */
    private CompletableFuture<Void> holding(String owner, boolean exclusive, CountDownLatch held, CountDownLatch release) {
        return CompletableFuture.runAsync(() -> QuarkusTransaction.requiringNew().run(() -> {
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

    @Test
    void signUpsOfOneOwnerDoNotWaitForEachOther() throws Exception {
        String owner = "owner-" + UUID.randomUUID();
        CountDownLatch held = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        CompletableFuture<Void> first = holding(owner, false, held, release);
        assertTrue(held.await(WAIT_SECONDS, TimeUnit.SECONDS));
        // While the first sign-up's transaction is open, a second one of the same owner takes the fence and commits.
        CompletableFuture<Void> second = holding(owner, false, new CountDownLatch(1), new CountDownLatch(0));
        second.get(WAIT_SECONDS, TimeUnit.SECONDS);
        assertTrue(!first.isDone(), "the first sign-up was still in its transaction");
        release.countDown();
        first.get(WAIT_SECONDS, TimeUnit.SECONDS);
    }

    @Test
    void aSubscriptionWaitsForTheSignUpInFlightAndTheNextSignUpWaitsForTheSubscription() throws Exception {
        String owner = "owner-" + UUID.randomUUID();
        CountDownLatch signUpHeld = new CountDownLatch(1);
        CountDownLatch signUpDone = new CountDownLatch(1);
        CompletableFuture<Void> signUp = holding(owner, false, signUpHeld, signUpDone);
        assertTrue(signUpHeld.await(WAIT_SECONDS, TimeUnit.SECONDS));

        CountDownLatch subscriptionHeld = new CountDownLatch(1);
        CountDownLatch subscriptionDone = new CountDownLatch(1);
        CompletableFuture<Void> subscription = holding(owner, true, subscriptionHeld, subscriptionDone);
        // It cannot take the fence while the sign-up's transaction is open (a bounded look: it must not happen at all).
        assertTrue(!subscriptionHeld.await(500, TimeUnit.MILLISECONDS), "the subscription waited for the sign-up");
        signUpDone.countDown();
        signUp.get(WAIT_SECONDS, TimeUnit.SECONDS);
        assertTrue(subscriptionHeld.await(WAIT_SECONDS, TimeUnit.SECONDS), "the subscription took the fence after the sign-up's commit");

        // A sign-up now waits for the subscription's transaction.
        CountDownLatch nextHeld = new CountDownLatch(1);
        CompletableFuture<Void> next = holding(owner, false, nextHeld, new CountDownLatch(0));
        assertTrue(!nextHeld.await(500, TimeUnit.MILLISECONDS), "the next sign-up waited for the subscription");
        subscriptionDone.countDown();
        subscription.get(WAIT_SECONDS, TimeUnit.SECONDS);
        next.get(WAIT_SECONDS, TimeUnit.SECONDS);
    }

    @Test
    void anotherOwnersSubscriptionDoesNotWaitForThisOwnersSignUps() throws Exception {
        String owner = "owner-" + UUID.randomUUID();
        CountDownLatch held = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        CompletableFuture<Void> signUp = holding(owner, false, held, release);
        assertTrue(held.await(WAIT_SECONDS, TimeUnit.SECONDS));
        // Owners that share an H2 stripe would wait: pick one that does not.
        String other;
        do {
            other = "owner-" + UUID.randomUUID();
        } while (Math.floorMod(other.hashCode(), OwnerFence.STRIPES) == Math.floorMod(owner.hashCode(), OwnerFence.STRIPES));
        holding(other, true, new CountDownLatch(1), new CountDownLatch(0)).get(WAIT_SECONDS, TimeUnit.SECONDS);
        release.countDown();
        signUp.get(WAIT_SECONDS, TimeUnit.SECONDS);
    }
}
