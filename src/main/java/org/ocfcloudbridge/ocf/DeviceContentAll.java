package org.ocfcloudbridge.ocf;

import com.fasterxml.jackson.annotation.JsonPropertyOrder;
import io.quarkus.runtime.annotations.RegisterForReflection;

import java.util.List;

/** Cloud API {@code DeviceContentAll} ({@code content=all}): links carry their representation ({@code rep}). */
@RegisterForReflection
@JsonPropertyOrder({"device", "status", "links"})
public class DeviceContentAll extends OcfObject {
    public DeviceProperties device;
    public String status;
    public List<ResourceContent> links;
}
