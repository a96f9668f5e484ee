package org.ocfcloudbridge.ocf;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonValue;
import com.fasterxml.jackson.databind.JsonNode;
import io.quarkus.runtime.annotations.RegisterForReflection;

import java.util.Objects;

/**
 * A resource's content as the device sent it: any CBOR/JSON value (a map for most resources, an array for batch
 * interfaces). Held as a tree so that numbers keep their type and byte strings stay bytes.
 */
@RegisterForReflection
public final class Representation {

    private final JsonNode body;

    @JsonCreator(mode = JsonCreator.Mode.DELEGATING)
    public Representation(JsonNode body) {
        this.body = Objects.requireNonNull(body, "body");
    }

    @JsonValue
    public JsonNode body() {
        return body;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Representation r && body.equals(r.body);
    }

    @Override
    public int hashCode() {
        return body.hashCode();
    }

    @Override
    public String toString() {
        return body.toString();
    }
}
