package org.ocfcloudbridge.ocf;

import com.fasterxml.jackson.annotation.JsonAlias;
import com.fasterxml.jackson.annotation.JsonPropertyOrder;
import io.quarkus.runtime.annotations.RegisterForReflection;

/** {@code POST /oic/sec/account} (sign-up) request. Older devices send the code as {@code authcode}. */
@RegisterForReflection
@JsonPropertyOrder({"di", "authprovider", "accesstoken", "uid", "devicetype"})
public class SignUpRequest extends OcfObject {
    public String di;
    @JsonAlias("authcode")
    public String accesstoken;
    public String authprovider;
    public String uid;
    public String devicetype;
}
