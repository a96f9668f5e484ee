package org.ocfcloudbridge.ocf;

import com.fasterxml.jackson.annotation.JsonAlias;
import com.fasterxml.jackson.annotation.JsonPropertyOrder;
import io.quarkus.runtime.annotations.RegisterForReflection;

import java.util.List;

/** {@code POST /oic/rd?rt=oic.wk.rdpub} request and answer (swagger {@code rdPublish}). */
@RegisterForReflection
@JsonPropertyOrder({"di", "n", "links", "ttl"})
public class RdPublish extends OcfObject {
    public String di;
    /** Seconds the links stay published; 0 means no expiry. plgd also accepts the legacy key {@code lt}. */
    @JsonAlias("lt")
    public Long ttl;
    public String n;
    public List<Link> links;
}
