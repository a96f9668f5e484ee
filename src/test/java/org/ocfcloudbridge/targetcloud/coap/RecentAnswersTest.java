package org.ocfcloudbridge.targetcloud.coap;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Remembered sign-up and refresh answers: duplicates share one answer, unrelated requests never wait for each other. */
class RecentAnswersTest {

    private static final long WAIT_SECONDS = 20;
    private final ExecutorService threads = Executors.newCachedThreadPool();
    private final RecentAnswers<String> answers = new RecentAnswers<>(60_000);

    @AfterEach
    void stop() {
        threads.shutdownNow();
    }

    /** Answers {@code key} on another thread, blocking in the computation until {@code release} opens. */
    private CompletableFuture<String> slow(String key, String value, CountDownLatch computing, CountDownLatch release, AtomicInteger calls) {
        return CompletableFuture.supplyAsync(() -> answers.get(key, () -> {
            calls.incrementAndGet();
            computing.countDown();
            try {
                assertTrue(release.await(WAIT_SECONDS, TimeUnit.SECONDS));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            if (value == null) {
                throw new IllegalStateException("the first attempt failed");
            }
            return value;
        }), threads);
    }

    @Test
    void aDuplicateArrivingWhileTheFirstIsAnsweredGetsTheSameAnswerWithoutAskingAgain() throws Exception {
        AtomicInteger calls = new AtomicInteger();
        CountDownLatch computing = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        CompletableFuture<String> first = slow("request", "answer", computing, release, calls);
        assertTrue(computing.await(WAIT_SECONDS, TimeUnit.SECONDS));
        CompletableFuture<String> duplicate = slow("request", "another answer", new CountDownLatch(1), new CountDownLatch(0), calls);
        release.countDown();
        assertEquals("answer", first.get(WAIT_SECONDS, TimeUnit.SECONDS));
        assertEquals("answer", duplicate.get(WAIT_SECONDS, TimeUnit.SECONDS));
        assertEquals(1, calls.get(), "computed once");
        assertEquals("answer", answers.get("request", () -> "late"), "remembered");
    }

    @Test
    void anotherRequestDoesNotWaitForASlowOneEvenWhenTheirKeysHashAlike() throws Exception {
        CountDownLatch computing = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        CompletableFuture<String> slowOne = slow("Aa", "slow", computing, release, new AtomicInteger());
        assertTrue(computing.await(WAIT_SECONDS, TimeUnit.SECONDS));
        // "Aa" and "BB" have the same hashCode: any lock chosen by hash would put them together.
        assertEquals("Aa".hashCode(), "BB".hashCode());
        CompletableFuture<String> other = CompletableFuture.supplyAsync(() -> answers.get("BB", () -> "quick"), threads);
        assertEquals("quick", other.get(WAIT_SECONDS, TimeUnit.SECONDS));
        assertTrue(!slowOne.isDone(), "answered while the slow one was still being computed");
        release.countDown();
        assertEquals("slow", slowOne.get(WAIT_SECONDS, TimeUnit.SECONDS));
    }

    @Test
    void whenTheFirstFailsAWaitingDuplicateTriesForItselfAndNothingFailedIsRemembered() throws Exception {
        AtomicInteger calls = new AtomicInteger();
        CountDownLatch computing = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        CompletableFuture<String> first = slow("request", null, computing, release, calls);
        assertTrue(computing.await(WAIT_SECONDS, TimeUnit.SECONDS));
        CompletableFuture<String> duplicate = slow("request", "second try", new CountDownLatch(1), new CountDownLatch(0), calls);
        release.countDown();
        Exception failed = assertThrows(Exception.class, () -> first.get(WAIT_SECONDS, TimeUnit.SECONDS));
        assertTrue(String.valueOf(failed.getCause()).contains("the first attempt failed"), String.valueOf(failed));
        assertEquals("second try", duplicate.get(WAIT_SECONDS, TimeUnit.SECONDS));
        assertEquals(2, calls.get());
    }
}
