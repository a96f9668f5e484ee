package org.ocfcloudbridge.ocf;

import com.fasterxml.jackson.annotation.JsonPropertyOrder;
import io.quarkus.runtime.annotations.RegisterForReflection;

import java.util.List;

/** Cloud API {@code Device} ({@code content=base}): properties, status and links with hrefs prefixed by {@code /<di>}. */
@RegisterForReflection
@JsonPropertyOrder({"device", "status", "links"})
public class Device extends OcfObject {
    public static final String ONLINE = "online";
    public static final String OFFLINE = "offline";

    public DeviceProperties device;
    public String status;
    public List<Link> links;
}
