package org.ocfcloudbridge.ocf;

import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.annotation.JsonPropertyOrder;
import io.quarkus.runtime.annotations.RegisterForReflection;

import java.util.List;

/** A device's {@code oic.r.coapcloudconf} resource, as a Mediator reads and writes it (§10). */
@RegisterForReflection
@JsonPropertyOrder({"rt", "if", "n", "at", "apn", "cis", "sid", "cps", "clec"})
public class CoapCloudConf extends OcfObject {
    public List<String> rt;
    @JsonProperty("if")
    public List<String> interfaces;
    public String n;
    /** Write-only: the access token or authorization code the device signs up with. */
    public String at;
    public String apn;
    public String cis;
    public String sid;
    /** Cloud provisioning status: uninitialized, readytoregister, registering, registered, failed. */
    public String cps;
    public Integer clec;
}
