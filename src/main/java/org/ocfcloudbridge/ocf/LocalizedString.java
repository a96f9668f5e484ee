package org.ocfcloudbridge.ocf;

import io.quarkus.runtime.annotations.RegisterForReflection;

/** One language's text, as in {@code dmn}: {@code {"language":"en","value":"..."}}. */
@RegisterForReflection
public class LocalizedString extends OcfObject {
    public String language;
    public String value;

    public LocalizedString() {
    }

    public LocalizedString(String language, String value) {
        this.language = language;
        this.value = value;
    }
}
