package org.ocfcloudbridge.targetcloud.coap;

import org.eclipse.californium.elements.AddressEndpointContext;
import org.eclipse.californium.elements.RawData;
import org.eclipse.californium.elements.RawDataChannel;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.IntStream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The protocol stage keeps each connection's messages in the order they came, and one connection never holds up all. */
class ConnectionOrderedExecutorTest {

    private static final int STRIPES = 4;

    private final ConnectionOrderedExecutor executor = new ConnectionOrderedExecutor(STRIPES, r -> {
        Thread t = new Thread(r, "test-protocol");
        t.setDaemon(true);
        return t;
    });

    @AfterEach
    void stop() throws InterruptedException {
        executor.shutdownNow();
        assertTrue(executor.awaitTermination(10, TimeUnit.SECONDS));
    }

    /** As Californium's endpoint does: the inbox hands each message to the executor as a task of its own. */
    private RawDataChannel inbox(java.util.function.Consumer<RawData> handle) {
        return ConnectionOrderedExecutor.inOrder(raw -> executor.execute(() -> handle.accept(raw)));
    }

    private static RawData from(InetSocketAddress peer, int n) {
        return RawData.inbound(new byte[] {(byte) (n >> 24), (byte) (n >> 16), (byte) (n >> 8), (byte) n},
                new AddressEndpointContext(peer), false, System.nanoTime(), new InetSocketAddress("127.0.0.1", 5683));
    }

    private static int number(RawData raw) {
        byte[] b = raw.getBytes();
        return (b[0] & 0xff) << 24 | (b[1] & 0xff) << 16 | (b[2] & 0xff) << 8 | (b[3] & 0xff);
    }

    private static InetSocketAddress onAnotherStripeThan(InetSocketAddress a) {
        return IntStream.range(40_001, 40_100).mapToObj(p -> new InetSocketAddress("127.0.0.1", p))
                .filter(b -> Math.floorMod(b.hashCode(), STRIPES) != Math.floorMod(a.hashCode(), STRIPES))
                .findFirst().orElseThrow();
    }

    @Test
    void eachConnectionsMessagesAreHandledOneAtATimeInTheOrderTheyCame() throws Exception {
        int perConnection = 2_000;
        List<InetSocketAddress> peers = IntStream.range(0, 8).mapToObj(i -> new InetSocketAddress("127.0.0.1", 50_000 + i)).toList();
        java.util.Map<InetSocketAddress, List<Integer>> seen = new java.util.concurrent.ConcurrentHashMap<>();
        java.util.Map<InetSocketAddress, AtomicInteger> busy = new java.util.concurrent.ConcurrentHashMap<>();
        AtomicInteger overlaps = new AtomicInteger();
        CountDownLatch done = new CountDownLatch(peers.size() * perConnection);
        RawDataChannel inbox = inbox(raw -> {
            InetSocketAddress peer = raw.getEndpointContext().getPeerAddress();
            if (busy.get(peer).incrementAndGet() > 1) {
                overlaps.incrementAndGet();
            }
            // A little work of varying length, so that a task handed over later could finish first on a shared pool.
            long until = System.nanoTime() + ThreadLocalRandom.current().nextInt(20_000);
            while (System.nanoTime() < until) {
                Thread.onSpinWait();
            }
            seen.get(peer).add(number(raw));
            busy.get(peer).decrementAndGet();
            done.countDown();
        });
        for (InetSocketAddress p : peers) {
            seen.put(p, Collections.synchronizedList(new ArrayList<>()));
            busy.put(p, new AtomicInteger());
        }
        // One receiving thread per connection, as Netty reads a connection on one event loop; all at once.
        List<Thread> receivers = new ArrayList<>();
        for (InetSocketAddress p : peers) {
            Thread t = new Thread(() -> IntStream.range(0, perConnection).forEach(n -> inbox.receiveData(from(p, n))));
            receivers.add(t);
            t.start();
        }
        for (Thread t : receivers) {
            t.join();
        }
        assertTrue(done.await(60, TimeUnit.SECONDS), "every message was handled");
        assertEquals(0, overlaps.get(), "never two messages of one connection at once");
        List<Integer> inOrder = IntStream.range(0, perConnection).boxed().toList();
        for (InetSocketAddress p : peers) {
            assertEquals(inOrder, seen.get(p), "the order " + p + "'s messages came in");
        }
    }

    @Test
    void aConnectionWaitingOnItsMessageDoesNotHoldUpAConnectionOnAnotherStripe() throws Exception {
        InetSocketAddress slow = new InetSocketAddress("127.0.0.1", 40_000);
        InetSocketAddress other = onAnotherStripeThan(slow);
        CountDownLatch release = new CountDownLatch(1);
        CountDownLatch otherHandled = new CountDownLatch(1);
        List<Integer> slowSeen = Collections.synchronizedList(new ArrayList<>());
        RawDataChannel inbox = inbox(raw -> {
            if (raw.getEndpointContext().getPeerAddress().equals(slow)) {
                if (number(raw) == 0) {
                    try {
                        release.await(30, TimeUnit.SECONDS);
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                    }
                }
                slowSeen.add(number(raw));
            } else {
                otherHandled.countDown();
            }
        });
        inbox.receiveData(from(slow, 0));
        inbox.receiveData(from(slow, 1));
        inbox.receiveData(from(other, 0));
        assertTrue(otherHandled.await(10, TimeUnit.SECONDS), "the other connection's message was handled meanwhile");
        assertFalse(slowSeen.contains(1), "the slow connection's second message waits for its first");
        release.countDown();
        long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (slowSeen.size() < 2 && System.nanoTime() < end) {
            Thread.sleep(5);
        }
        assertEquals(List.of(0, 1), slowSeen);
    }

    @Test
    void tasksNotMadeWhileReceivingAndTimersStillRun() throws Exception {
        CountDownLatch ran = new CountDownLatch(STRIPES * 2 + 1);
        for (int i = 0; i < STRIPES * 2; i++) {
            executor.execute(ran::countDown);
        }
        executor.schedule(ran::countDown, 10, TimeUnit.MILLISECONDS);
        assertTrue(ran.await(10, TimeUnit.SECONDS));
    }
}
