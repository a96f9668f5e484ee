package org.ocfcloudbridge.ocf;

import java.util.List;

/**
 * Every path, header, option, media type and event type the OCF Cloud specifications name, in one place.
 * Section numbers refer to the project's spec digest.
 */
public final class Protocol {

    private Protocol() {
    }

    /** CoAP resource paths of the Target Cloud's device gateway (Part 11, §12–§16). */
    public static final class CoapPaths {
        public static final String ACCOUNT = "/oic/sec/account";
        public static final String SESSION = "/oic/sec/session";
        public static final String TOKEN_REFRESH = "/oic/sec/tokenrefresh";
        public static final String RESOURCE_DIRECTORY = "/oic/rd";
        public static final String RESOURCE_DISCOVERY = "/oic/res";
        public static final String DEVICE = "/oic/d";
        public static final String PLATFORM = "/oic/p";

        private CoapPaths() {
        }
    }

    /** Resource types (rt) of the resources above. */
    public static final class ResourceTypes {
        public static final String ACCOUNT = "oic.r.account";
        public static final String SESSION = "oic.r.session";
        public static final String TOKEN_REFRESH = "oic.r.tokenrefresh";
        public static final String RESOURCE_DIRECTORY = "oic.wk.rd";
        public static final String RD_PUBLISH = "oic.wk.rdpub";
        public static final String RESOURCE_DISCOVERY = "oic.wk.res";
        public static final String DEVICE = "oic.wk.d";
        public static final String COAP_CLOUD_CONF = "oic.r.coapcloudconf";
        /** Well-known resource types the web page shows with a control of their own (OCF Resource Type Specification). */
        public static final String SWITCH_BINARY = "oic.r.switch.binary";
        public static final String TEMPERATURE = "oic.r.temperature";
        public static final String LIGHT_BRIGHTNESS = "oic.r.light.brightness";
        public static final String LIGHT_DIMMING = "oic.r.light.dimming";
        public static final String COLOUR_RGB = "oic.r.colour.rgb";

        private ResourceTypes() {
        }
    }

    /** HTTP paths of the Cloud API for Cloud Services (Part 10, §4–§5) and of the daemon's own endpoints. */
    /** Cookies of the web page. */
    public static final class Cookies {
        /** The signed-in user's token: the page's requests and its event stream (EventSource sends no headers). */
        public static final String CONSOLE_SESSION = "bridge_console";
        /** State and PKCE verifier of a sign-in under way. */
        public static final String CONSOLE_LOGIN = "bridge_console_login";
        /** Prefix of the cookie that binds a pending account link to the browser that started it (one per state). */
        public static final String LINK_BROWSER_PREFIX = "bridge_link_";

        private Cookies() {
        }
    }

    public static final class HttpPaths {
        public static final String API_BASE = "/api/v1";
        public static final String DEVICES = API_BASE + "/devices";
        public static final String SUBSCRIPTIONS = "subscriptions";
        /** The daemon's description of itself for Mediators and operators (not an OCF path). */
        public static final String CLOUD_CONFIGURATION = "/.well-known/ocf-cloud-configuration";

        /** The embedded OAuth2 authorization server (RFC 6749, RFC 7009, RFC 8414 discovery). */
        public static final String OPENID_CONFIGURATION = "/.well-known/openid-configuration";
        public static final String OAUTH2 = "/oauth2";
        public static final String AUTHORIZE = OAUTH2 + "/authorize";
        public static final String LOGIN = OAUTH2 + "/login";
        public static final String CONSENT = OAUTH2 + "/consent";
        public static final String TOKEN = OAUTH2 + "/token";
        public static final String REVOKE = OAUTH2 + "/revoke";
        public static final String JWKS = OAUTH2 + "/jwks";

        /** Origin role: the browser's account linking, and the vendor cloud's API. */
        public static final String LINK = "/link";
        public static final String LINK_CALLBACK = LINK + "/callback";
        public static final String LINKS = API_BASE + "/links";
        public static final String ADMIN_CLOUDS = "/api/admin/clouds";
        /** Webhook deliveries that ran out of retries: list, send again, drop. */
        public static final String ADMIN_WEBHOOK_DEAD_LETTERS = "/api/admin/webhooks/dead-letters";
        /** Where the Target Cloud's notifications for the Origin role arrive: {@code /inbox/<our subscription id>}. */
        public static final String INBOX = "/inbox";

        /**
         * Where the Origin role's inboxes are under {@code publicUrl} ({@code bridge.public-url}): the eventsUrl it gives
         * the Target is this and the subscription's id; the Target of the same daemon recognises its own inboxes by it.
         */
        public static String inboxes(String publicUrl) {
            return publicUrl.replaceAll("/+$", "") + INBOX + "/";
        }

        /** Operators' and provisioning scripts' API (Bearer token with scope admin). */
        public static final String ADMIN = "/api/admin";

        private HttpPaths() {
        }
    }

    /** The longest value of a CoAP Uri-Path option (RFC 7252 §5.10): one segment of a resource's path. */
    public static final int MAX_URI_PATH_SEGMENT = 255;

    /**
     * The longest HTTP request path taken (characters, before decoding). Resource paths with a {@code .+} segment
     * followed by more (…/{href}/subscriptions) are matched by regular expressions whose cost grows with the square of
     * the path's length: a 4,000-character path (the server's own request-line limit is 4,096) took over 100 ms of an
     * event loop, unauthenticated.
     */
    public static final int MAX_HTTP_PATH_LENGTH = 1024;

    /** HTTP header names of Part 10 (§3, §5.4). */
    public static final class Headers {
        public static final String CORRELATION_ID = "Correlation-ID";
        public static final String EVENT_TYPE = "Event-Type";
        public static final String SUBSCRIPTION_ID = "Subscription-ID";
        public static final String SEQUENCE_NUMBER = "Sequence-Number";
        public static final String EVENT_TIMESTAMP = "Event-Timestamp";
        public static final String EVENT_SIGNATURE = "Event-Signature";
        public static final String CONTENT_TYPE = "Content-Type";
        public static final String ACCEPT = "Accept";
        public static final String AUTHORIZATION = "Authorization";
        /** On a 504 for an offline device (§4.1). */
        public static final String RETRY_AFTER = "Retry-After";

        private Headers() {
        }
    }

    /** Event types of Part 10 §5.1 (the enum is plural for device and resource lists). */
    public static final class EventTypes {
        public static final String SUBSCRIPTION_CANCELLED = "subscription_cancelled";
        public static final String DEVICES_REGISTERED = "devices_registered";
        public static final String DEVICES_UNREGISTERED = "devices_unregistered";
        public static final String DEVICES_ONLINE = "devices_online";
        public static final String DEVICES_OFFLINE = "devices_offline";
        public static final String RESOURCES_PUBLISHED = "resources_published";
        public static final String RESOURCES_UNPUBLISHED = "resources_unpublished";
        public static final String RESOURCE_CONTENT_CHANGED = "resource_contentchanged";

        public static final List<String> DEVICES_LEVEL =
                List.of(DEVICES_REGISTERED, DEVICES_UNREGISTERED, DEVICES_ONLINE, DEVICES_OFFLINE);
        public static final List<String> DEVICE_LEVEL = List.of(RESOURCES_PUBLISHED, RESOURCES_UNPUBLISHED);
        public static final List<String> RESOURCE_LEVEL = List.of(RESOURCE_CONTENT_CHANGED);

        private EventTypes() {
        }
    }

    /** Media types and their CoAP Content-Format numbers (§8). */
    public static final class MediaTypes {
        public static final String OCF_CBOR = "application/vnd.ocf+cbor";
        public static final String CBOR = "application/cbor";
        public static final String JSON = "application/json";
        public static final int OCF_CBOR_FORMAT = 10000;
        public static final int CBOR_FORMAT = 60;
        public static final int JSON_FORMAT = 50;

        private MediaTypes() {
        }
    }

    /** OCF's own CoAP options (OCF Core); 2048 stands for OCF 1.0.0 content. */
    public static final class CoapOptions {
        public static final int OCF_ACCEPT_CONTENT_FORMAT_VERSION = 2049;
        public static final int OCF_CONTENT_FORMAT_VERSION = 2053;
        public static final int OCF_VERSION_1_0_0 = 2048;

        private CoapOptions() {
        }
    }

    /** OAuth2 scopes of the Cloud API (§2). */
    public static final class Scopes {
        public static final String READ = "r:*";
        public static final String WRITE = "w:*";

        private Scopes() {
        }
    }
}
