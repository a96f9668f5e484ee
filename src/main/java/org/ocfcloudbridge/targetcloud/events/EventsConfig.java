package org.ocfcloudbridge.targetcloud.events;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithConverter;
import io.smallrye.config.WithDefault;
import org.ocfcloudbridge.config.Checked;

import java.time.Duration;

/** Delivery of Cloud API notifications ({@code bridge.events.*}). */
@ConfigMapping(prefix = "bridge.events")
public interface EventsConfig {

    /** How long a notification is retried before it becomes a dead letter and its subscription is cancelled. */
    @WithDefault("24H")
    Duration maxAge();

    /** How long a notification that became a dead letter is kept for operators before it is deleted. */
    @WithDefault("30D")
    Duration deadLetterRetention();

    /** First retry delay; doubled per attempt, with jitter. */
    @WithDefault("1S")
    Duration initialBackoff();

    @WithDefault("5M")
    Duration maxBackoff();

    /** How long one POST to a receiver may take. */
    @WithDefault("10S")
    Duration deliveryTimeout();

    /** Notifications in flight at once (one per subscription at most, to keep each subscription's order). */
    @WithDefault("64")
    @WithConverter(Checked.OneTo4096.class)
    int maxInFlight();

    /** How often the outbox is looked at besides the wake-ups that follow each change. */
    @WithDefault("1S")
    Duration pollInterval();

    /**
     * Body shape of list notifications when the subscriber does not choose: {@code object} as the OCF swagger defines
     * ({@code {"content":[…]}}), or {@code array} as plgd hub sends and expects.
     */
    @WithDefault("object")
    BodyShape bodyShape();

    enum BodyShape { OBJECT, ARRAY }
}
