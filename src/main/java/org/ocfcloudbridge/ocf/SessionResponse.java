package org.ocfcloudbridge.ocf;

import com.fasterxml.jackson.annotation.JsonPropertyOrder;
import io.quarkus.runtime.annotations.RegisterForReflection;

import java.util.List;

/** {@code POST /oic/sec/session} answer (2.04): the remaining token lifetime on sign-in. */
@RegisterForReflection
@JsonPropertyOrder({"rt", "expiresin"})
public class SessionResponse extends OcfObject {
    public List<String> rt;
    public Long expiresin;
}
