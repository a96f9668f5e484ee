package org.ocfcloudbridge.ocf;

import com.fasterxml.jackson.annotation.JsonPropertyOrder;
import io.quarkus.runtime.annotations.RegisterForReflection;

import java.util.List;

/** Cloud API subscription request at any of the three levels (§5.2). */
@RegisterForReflection
@JsonPropertyOrder({"eventsUrl", "eventTypes", "signingSecret"})
public class SubscribeRequest extends OcfObject {
    public String eventsUrl;
    public List<String> eventTypes;
    public String signingSecret;
}
