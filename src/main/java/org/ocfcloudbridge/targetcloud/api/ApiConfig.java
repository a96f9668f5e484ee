package org.ocfcloudbridge.targetcloud.api;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;

import java.time.Duration;

/** The Cloud API for Cloud Services ({@code bridge.api.*}). */
@ConfigMapping(prefix = "bridge.api")
public interface ApiConfig {

    /** Retry-After of a 504 for an offline or silent device. */
    @WithDefault("10S")
    Duration retryAfter();
}
