package org.ocfcloudbridge.targetcloud.coap;

import org.eclipse.californium.core.CoapResource;
import org.eclipse.californium.core.coap.CoAP.ResponseCode;
import org.eclipse.californium.core.coap.MediaTypeRegistry;
import org.eclipse.californium.core.coap.Response;
import org.eclipse.californium.core.server.resources.CoapExchange;
import org.eclipse.californium.elements.EndpointContext;
import org.eclipse.californium.elements.TcpEndpointContext;
import org.jboss.logging.Logger;
import org.ocfcloudbridge.ocf.OcfCodec;
import org.ocfcloudbridge.ocf.OcfCodecException;
import org.ocfcloudbridge.ocf.OcfFormat;
import org.ocfcloudbridge.ocf.Protocol;
import org.ocfcloudbridge.ops.DatabaseOutage;

import java.nio.charset.StandardCharsets;
import java.security.Principal;
import java.util.concurrent.Callable;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;

/**
 * Base of the gateway's CoAP resources: work runs off Californium's few protocol threads (a handler that blocks
 * stalls every device), bodies are decoded and encoded as OCF CBOR, and every refusal is a CoAP error with a short
 * diagnostic.
 */
abstract class OcfResource extends CoapResource {

    private static final Logger LOG = Logger.getLogger(OcfResource.class);
    private static final DatabaseOutage.Job DATABASE = new DatabaseOutage.Job(LOG, "answering devices");
    /** How long a device is told to wait before it asks again while the database is away. */
    static final long OUTAGE_MAX_AGE_SECONDS = 5;
    static final OcfCodec CODEC = OcfCodec.get();

    private final Executor executor;

    OcfResource(String name, Executor executor) {
        super(name);
        this.executor = executor;
    }

    /** Answers the exchange later, from the worker pool. */
    final void async(CoapExchange exchange, Callable<Response> work) {
        try {
            executor.execute(() -> answer(exchange, work));
        } catch (RejectedExecutionException overloaded) {
            exchange.respondOverload(5);
        }
    }

    private static void answer(CoapExchange exchange, Callable<Response> work) {
        Response response;
        try {
            response = work.call();
            DATABASE.worked();
        } catch (CoapError e) {
            response = diagnostic(e.code, e.getMessage());
        } catch (OcfCodecException e) {
            response = diagnostic(ResponseCode.BAD_REQUEST, e.getMessage());
        } catch (org.ocfcloudbridge.targetcloud.events.EventJournal.DeviceGone e) {
            // Deregistered while this request was on its way: not a fault of ours.
            response = diagnostic(ResponseCode.NOT_FOUND, "the device is no longer registered");
        } catch (RuntimeException e) {
            if (DatabaseOutage.closed(e)) {
                // The daemon is stopping under this request: not a fault, and nobody may be left to answer.
                LOG.debugf("%s %s: stopping", exchange.getRequestCode(), exchange.advanced().getRequest().getURI());
                response = diagnostic(ResponseCode.SERVICE_UNAVAILABLE, "the cloud is stopping; try again later");
                response.getOptions().setMaxAge(OUTAGE_MAX_AGE_SECONDS);
            } else if (DatabaseOutage.is(e)) {
                // Not the device's fault nor a bug: it may try again (Max-Age), and the log gets one line per outage.
                DATABASE.failed(e);
                response = diagnostic(ResponseCode.SERVICE_UNAVAILABLE, "the cloud cannot reach its database; try again later");
                response.getOptions().setMaxAge(OUTAGE_MAX_AGE_SECONDS);
            } else {
                LOG.errorf(e, "%s %s failed", exchange.getRequestCode(), exchange.advanced().getRequest().getURI());
                response = diagnostic(ResponseCode.INTERNAL_SERVER_ERROR, "internal error");
            }
        } catch (Error e) {
            LOG.errorf(e, "%s %s failed", exchange.getRequestCode(), exchange.advanced().getRequest().getURI());
            response = diagnostic(ResponseCode.INTERNAL_SERVER_ERROR, "internal error");
        } catch (Exception e) {
            LOG.errorf(e, "%s failed", exchange.getRequestCode());
            response = diagnostic(ResponseCode.INTERNAL_SERVER_ERROR, "internal error");
        }
        exchange.respond(response);
    }

    static Response diagnostic(ResponseCode code, String text) {
        Response r = new Response(code);
        if (text != null && !text.isEmpty()) {
            r.setPayload(text.getBytes(StandardCharsets.UTF_8));
            // Some device stacks abort on a body without Content-Format.
            r.getOptions().setContentFormat(MediaTypeRegistry.TEXT_PLAIN);
        }
        return r;
    }

    /** Decodes the request body; CBOR unless the request says otherwise. */
    static <T> T decode(CoapExchange exchange, Class<T> type) {
        int cf = exchange.getRequestOptions().getContentFormat();
        OcfFormat format;
        if (cf == MediaTypeRegistry.UNDEFINED) {
            format = OcfFormat.OCF_CBOR;
        } else {
            format = OcfFormat.ofContentFormat(cf).orElseThrow(() -> new CoapError(ResponseCode.UNSUPPORTED_CONTENT_FORMAT,
                    "content format " + cf + " is not supported; use 10000 (application/vnd.ocf+cbor)"));
        }
        return CODEC.decode(exchange.getRequestPayload(), type, format);
    }

    /**
     * A CBOR answer with Content-Format 10000. OCF-Content-Format-Version 1.0.0 goes with it when the request spoke
     * OCF (it carried option 2049 or 2053): the option is critical, and a plain CoAP client such as libcoap rejects
     * an answer with a critical option it does not know.
     */
    static Response cbor(CoapExchange exchange, ResponseCode code, Object body) {
        Response r = new Response(code);
        r.setPayload(CODEC.encode(body, OcfFormat.OCF_CBOR));
        r.getOptions().setContentFormat(Protocol.MediaTypes.OCF_CBOR_FORMAT);
        var options = exchange.getRequestOptions();
        if (options.hasOption(Protocol.CoapOptions.OCF_ACCEPT_CONTENT_FORMAT_VERSION)
                || options.hasOption(Protocol.CoapOptions.OCF_CONTENT_FORMAT_VERSION)) {
            r.getOptions().addOption(CoapGateway.OCF_CONTENT_FORMAT_VERSION.create(Protocol.CoapOptions.OCF_VERSION_1_0_0));
        }
        return r;
    }

    static String connectionId(CoapExchange exchange) {
        EndpointContext ctx = exchange.advanced().getRequest().getSourceContext();
        if (ctx instanceof TcpEndpointContext tcp) {
            return tcp.getConnectionId();
        }
        throw new CoapError(ResponseCode.BAD_REQUEST, "not a CoAP-over-TCP connection");
    }

    static EndpointContext sourceContext(CoapExchange exchange) {
        return exchange.advanced().getRequest().getSourceContext();
    }

    /**
     * With mutual TLS, the device certificate's CN {@code uuid:<di>} must name the device the request is about.
     */
    static void requireCertificateMatches(CoapExchange exchange, String di) {
        Principal peer = sourceContext(exchange).getPeerIdentity();
        if (peer == null) {
            return;
        }
        String name = peer.getName();
        int cn = name.indexOf("CN=uuid:");
        if (cn >= 0) {
            String certDi = name.substring(cn + 8).split(",", 2)[0].trim();
            if (!certDi.equalsIgnoreCase(di)) {
                throw CoapError.forbidden("the device certificate names another device");
            }
        }
    }

    static String require(String value, String key) {
        if (value == null || value.isBlank()) {
            throw CoapError.badRequest("missing " + key);
        }
        return value;
    }

    static String requireDeviceId(String di) {
        require(di, "di");
        if (!di.matches("[0-9A-Fa-f]{8}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{12}")) {
            throw CoapError.badRequest("di is not a UUID");
        }
        return di.toLowerCase(java.util.Locale.ROOT);
    }
}
