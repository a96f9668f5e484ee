package org.ocfcloudbridge.ocf;

import com.fasterxml.jackson.annotation.JsonPropertyOrder;
import io.quarkus.runtime.annotations.RegisterForReflection;

import java.util.List;

/** {@code POST /oic/sec/account} answer (2.04): the device's tokens and the user it is now bound to. */
@RegisterForReflection
@JsonPropertyOrder({"rt", "accesstoken", "refreshtoken", "expiresin", "uid", "redirecturi"})
public class SignUpResponse extends OcfObject {
    public List<String> rt;
    public String accesstoken;
    public String refreshtoken;
    /** Token lifetime in seconds; -1 means it does not expire. */
    public Long expiresin;
    public String uid;
    public String redirecturi;
}
