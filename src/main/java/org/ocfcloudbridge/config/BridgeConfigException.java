package org.ocfcloudbridge.config;

/** A configuration value that passed type and range checks but makes no sense with the others. */
public class BridgeConfigException extends RuntimeException {

    public BridgeConfigException(String key, String problem) {
        super(key + " " + problem);
    }
}
