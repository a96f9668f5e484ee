package org.ocfcloudbridge.ocf;

import com.fasterxml.jackson.annotation.JsonPropertyOrder;
import io.quarkus.runtime.annotations.RegisterForReflection;

import java.util.List;

/** The part of {@code /oic/d} the Cloud API shows (swagger {@code DeviceProperties}): rt, di, n, dmn. */
@RegisterForReflection
@JsonPropertyOrder({"rt", "di", "n", "dmn"})
public class DeviceProperties extends OcfObject {
    public List<String> rt;
    public String di;
    public String n;
    public List<LocalizedString> dmn;
}
