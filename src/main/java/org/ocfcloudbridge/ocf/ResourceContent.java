package org.ocfcloudbridge.ocf;

import com.fasterxml.jackson.annotation.JsonPropertyOrder;
import io.quarkus.runtime.annotations.RegisterForReflection;

/** One entry of a batch ({@code oic.if.b}) answer or of {@code DeviceContentAll.links}: a link's href and its content. */
@RegisterForReflection
@JsonPropertyOrder({"href", "rep"})
public class ResourceContent extends OcfObject {
    public String href;
    public Representation rep;
}
