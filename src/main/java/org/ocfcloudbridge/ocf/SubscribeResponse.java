package org.ocfcloudbridge.ocf;

import io.quarkus.runtime.annotations.RegisterForReflection;

/** Cloud API subscription answer (201). */
@RegisterForReflection
public class SubscribeResponse extends OcfObject {
    public String subscriptionId;

    public SubscribeResponse() {
    }

    public SubscribeResponse(String subscriptionId) {
        this.subscriptionId = subscriptionId;
    }
}
