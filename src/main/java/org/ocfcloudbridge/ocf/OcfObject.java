package org.ocfcloudbridge.ocf;

import com.fasterxml.jackson.annotation.JsonAnyGetter;
import com.fasterxml.jackson.annotation.JsonAnySetter;
import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.databind.JsonNode;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Base of every OCF payload: keys this model does not name are kept, in order, and written back. Devices and other
 * clouds send vendor extensions (x.org.iotivity.*, piid, ...) that a bridge must pass on, not drop.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public abstract class OcfObject {

    private final Map<String, JsonNode> extra = new LinkedHashMap<>();

    @JsonAnyGetter
    public Map<String, JsonNode> extra() {
        return extra;
    }

    @JsonAnySetter
    public void extra(String key, JsonNode value) {
        extra.put(key, value);
    }
}
