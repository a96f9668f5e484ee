package org.ocfcloudbridge.targetcloud.coap;

import org.eclipse.californium.elements.RawData;
import org.eclipse.californium.elements.RawDataChannel;

import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.AbstractExecutorService;
import java.util.concurrent.Callable;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Californium's protocol stage with the messages of one connection handled one at a time, in the order they arrived.
 *
 * <p>Californium hands every received message to its protocol executor as a task of its own, so on a shared pool two
 * notifications of one device can be handled at once and the later one can reach the twin first. The observe handler
 * then drops the older one (RFC 7641 §3.4), which keeps the twin right but never tells the intermediate value: up to
 * 9 changes in 10,000 were lost that way at 1,000/s (bench of 2026-12-05), and half of a burst of 500 in
 * CloudToDeviceTest. Californium passes a response on through a second task too (its exchange's executor), so
 * keeping only the first hand-over in order was not enough. TCP delivers a connection's bytes in order
 * and Netty reads them on one event loop thread, so the order is there until the hand-over; here it is kept.
 *
 * <p>How: {@link #inOrder} wraps the endpoint's inbox; while the inbox runs on the connection's event loop, a
 * thread-local names the connection, and {@link #execute} puts the task Californium makes for it on that connection's
 * stripe, a single thread, where the task runs with the same name set, so that the tasks it makes in turn (a response
 * goes on through its exchange's executor) queue behind it on that stripe. Anything else (timers, tasks not made
 * while receiving) goes round the stripes. A stripe is
 * shared by the connections whose peer address falls on it; the protocol stage does no blocking work (devices'
 * requests go to the CoAP workers, writes to the device lanes), so a connection never waits long behind another.
 */
final class ConnectionOrderedExecutor extends AbstractExecutorService implements ScheduledExecutorService {

    /** The connection whose message is being received on this (event loop) thread, while its inbox runs. */
    private static final ThreadLocal<InetSocketAddress> RECEIVING = new ThreadLocal<>();

    private final ScheduledThreadPoolExecutor[] stripes;
    private final AtomicInteger next = new AtomicInteger();

    ConnectionOrderedExecutor(int threads, ThreadFactory factory) {
        stripes = new ScheduledThreadPoolExecutor[Math.max(1, threads)];
        for (int i = 0; i < stripes.length; i++) {
            stripes[i] = new ScheduledThreadPoolExecutor(1, factory);
            stripes[i].setRemoveOnCancelPolicy(true);
        }
    }

    /** The endpoint's inbox, with the connection of each message known to {@link #execute} while it is handed over. */
    static RawDataChannel inOrder(RawDataChannel inbox) {
        return raw -> {
            RECEIVING.set(peer(raw));
            try {
                inbox.receiveData(raw);
            } finally {
                RECEIVING.remove();
            }
        };
    }

    private static InetSocketAddress peer(RawData raw) {
        return raw.getEndpointContext() == null ? null : raw.getEndpointContext().getPeerAddress();
    }


    private ScheduledThreadPoolExecutor any() {
        return stripes[Math.floorMod(next.getAndIncrement(), stripes.length)];
    }

    @Override
    public void execute(Runnable task) {
        InetSocketAddress connection = RECEIVING.get();
        if (connection == null) {
            any().execute(task);
            return;
        }
        // The task runs as part of receiving that connection's message: what it hands on (Californium passes a
        // response on through the exchange's own executor, which is this one) stays on the same stripe, behind it.
        stripes[Math.floorMod(connection.hashCode(), stripes.length)].execute(() -> {
            RECEIVING.set(connection);
            try {
                task.run();
            } finally {
                RECEIVING.remove();
            }
        });
    }

    @Override
    public ScheduledFuture<?> schedule(Runnable command, long delay, TimeUnit unit) {
        return any().schedule(command, delay, unit);
    }

    @Override
    public <V> ScheduledFuture<V> schedule(Callable<V> callable, long delay, TimeUnit unit) {
        return any().schedule(callable, delay, unit);
    }

    @Override
    public ScheduledFuture<?> scheduleAtFixedRate(Runnable command, long initialDelay, long period, TimeUnit unit) {
        return any().scheduleAtFixedRate(command, initialDelay, period, unit);
    }

    @Override
    public ScheduledFuture<?> scheduleWithFixedDelay(Runnable command, long initialDelay, long delay, TimeUnit unit) {
        return any().scheduleWithFixedDelay(command, initialDelay, delay, unit);
    }

    @Override
    public void shutdown() {
        for (ScheduledThreadPoolExecutor s : stripes) {
            s.shutdown();
        }
    }

    @Override
    public List<Runnable> shutdownNow() {
        List<Runnable> left = new ArrayList<>();
        for (ScheduledThreadPoolExecutor s : stripes) {
            left.addAll(s.shutdownNow());
        }
        return left;
    }

    @Override
    public boolean isShutdown() {
        return java.util.Arrays.stream(stripes).allMatch(ScheduledThreadPoolExecutor::isShutdown);
    }

    @Override
    public boolean isTerminated() {
        return java.util.Arrays.stream(stripes).allMatch(ScheduledThreadPoolExecutor::isTerminated);
    }

    @Override
    public boolean awaitTermination(long timeout, TimeUnit unit) throws InterruptedException {
        long end = System.nanoTime() + unit.toNanos(timeout);
        for (ScheduledThreadPoolExecutor s : stripes) {
            if (!s.awaitTermination(Math.max(0, end - System.nanoTime()), TimeUnit.NANOSECONDS)) {
                return false;
            }
        }
        return true;
    }
}
