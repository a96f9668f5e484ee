package org.ocfcloudbridge.ocf;

import com.fasterxml.jackson.annotation.JsonPropertyOrder;
import io.quarkus.runtime.annotations.RegisterForReflection;

/** {@code POST /oic/sec/tokenrefresh} request; iotivity-lite adds {@code authprovider} and {@code granttype}. */
@RegisterForReflection
@JsonPropertyOrder({"uid", "di", "refreshtoken", "authprovider", "granttype"})
public class TokenRefreshRequest extends OcfObject {
    public String uid;
    public String di;
    public String refreshtoken;
    public String authprovider;
    public String granttype;
}
