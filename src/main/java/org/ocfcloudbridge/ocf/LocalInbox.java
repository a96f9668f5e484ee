package org.ocfcloudbridge.ocf;

import java.util.concurrent.CompletionStage;

/**
 * The Origin role's notification inbox (Part 10 §5.4) as the Target role of the same daemon reaches it without HTTP.
 * When one daemon runs both roles and an account is linked to this daemon's own Target Cloud, each notification would
 * otherwise leave as an HTTP POST over loopback to {@code bridge.public-url}/inbox/&lt;id&gt; and come back in through
 * the HTTP server: the handoff keeps the notification, its signature and every check and answer of the inbox, and drops
 * only the HTTP exchange.
 *
 * <p>Only this daemon's own inboxes are taken: an {@code eventsUrl} anywhere else goes out over HTTP as before (through
 * the outbound address policy). Calling oneself is not a request "on someone's behalf" that the policy guards against:
 * the same notification would reach the same code over loopback.
 */
public interface LocalInbox {

    /**
     * Takes one notification as the inbox's POST would, when {@code eventsUrl} is one of this daemon's inboxes, its
     * Origin role is on and it knows the notification's subscription; null otherwise, and the notification goes out over
     * HTTP as before (so that a daemon whose {@code bridge.public-url} is another daemon's, by mistake, never answers for
     * that other daemon's inbox). The answer is the status and reason the POST would have had (200 taken or already
     * taken, 400 refused, 410 no such subscription, 503 busy: send again); a failure that would have been a 5xx
     * completes the stage exceptionally. May read the database once per subscription: not for an event loop.
     */
    CompletionStage<Answer> offer(String eventsUrl, Notification notification);

    /** One notification with the values of its headers (Part 10 §5.4) and its body as signed. */
    record Notification(String eventType, String subscriptionId, long sequenceNumber, long eventTimestamp,
                        String signature, String contentType, byte[] body) {
    }

    /** What the inbox answered. */
    record Answer(int status, String reason) {
    }
}
