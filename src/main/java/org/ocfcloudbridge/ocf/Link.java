package org.ocfcloudbridge.ocf;

import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.annotation.JsonPropertyOrder;
import com.fasterxml.jackson.databind.JsonNode;
import io.quarkus.runtime.annotations.RegisterForReflection;

import java.util.List;

/** A web link ({@code oic.oic-link}), as published to {@code /oic/rd} and listed by {@code /oic/res} and the Cloud API. */
@RegisterForReflection
@JsonPropertyOrder({"anchor", "href", "rt", "if", "rel", "di", "ins", "p", "eps", "title", "type"})
public class Link extends OcfObject {
    public String href;
    public List<String> rt;
    @JsonProperty("if")
    public List<String> interfaces;
    public String anchor;
    public String di;
    /** A string or an array of strings; kept as sent. */
    public JsonNode rel;
    /** Instance id, assigned by the resource directory when the device sends none. */
    public Long ins;
    public LinkPolicy p;
    public List<Endpoint> eps;
    public String title;
    public List<String> type;

    /** Link policy: {@code bm} bit 1 = discoverable, bit 2 = observable. */
    @RegisterForReflection
    public static class LinkPolicy extends OcfObject {
        public static final int DISCOVERABLE = 1;
        public static final int OBSERVABLE = 2;

        public Integer bm;

        public boolean observable() {
            return bm != null && (bm & OBSERVABLE) != 0;
        }
    }

    /** An endpoint of the resource, e.g. {@code coaps+tcp://[2001:db8:a::123]:2222}. */
    @RegisterForReflection
    @JsonPropertyOrder({"ep", "pri", "lat"})
    public static class Endpoint extends OcfObject {
        public String ep;
        public Integer pri;
        public Integer lat;
    }
}
