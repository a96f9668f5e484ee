package org.ocfcloudbridge.ocf;

import com.fasterxml.jackson.annotation.JsonPropertyOrder;
import io.quarkus.runtime.annotations.RegisterForReflection;

/** {@code POST /oic/sec/session}: sign-in ({@code login:true}) or sign-out ({@code login:false}). */
@RegisterForReflection
@JsonPropertyOrder({"uid", "di", "accesstoken", "login"})
public class SessionRequest extends OcfObject {
    public String uid;
    public String di;
    public String accesstoken;
    public Boolean login;
}
