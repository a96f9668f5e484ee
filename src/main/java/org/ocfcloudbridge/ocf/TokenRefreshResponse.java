package org.ocfcloudbridge.ocf;

import com.fasterxml.jackson.annotation.JsonPropertyOrder;
import io.quarkus.runtime.annotations.RegisterForReflection;

import java.util.List;

/** {@code POST /oic/sec/tokenrefresh} answer (2.04). */
@RegisterForReflection
@JsonPropertyOrder({"rt", "accesstoken", "refreshtoken", "expiresin"})
public class TokenRefreshResponse extends OcfObject {
    public List<String> rt;
    public String accesstoken;
    public String refreshtoken;
    public Long expiresin;
}
