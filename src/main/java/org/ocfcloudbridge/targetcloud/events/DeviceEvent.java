package org.ocfcloudbridge.targetcloud.events;

import java.util.List;

/**
 * Something that happened to a device at the gateway, for the Cloud API's event notifications (Part 10 §5.1).
 *
 * @param hrefs the links concerned, for published / unpublished / content changed
 */
public record DeviceEvent(Type type, String deviceId, String ownerId, List<String> hrefs) {

    public enum Type { REGISTERED, UNREGISTERED, ONLINE, OFFLINE, PUBLISHED, UNPUBLISHED, CONTENT_CHANGED }

    public static DeviceEvent of(Type type, String deviceId, String ownerId) {
        return new DeviceEvent(type, deviceId, ownerId, List.of());
    }
}
