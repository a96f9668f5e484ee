package org.ocfcloudbridge.simulator;

import org.eclipse.californium.core.CoapResource;
import org.eclipse.californium.core.coap.CoAP.ResponseCode;
import org.eclipse.californium.core.coap.MediaTypeRegistry;
import org.eclipse.californium.core.server.resources.CoapExchange;
import org.ocfcloudbridge.ocf.CoapCloudConf;
import org.ocfcloudbridge.ocf.OcfCodec;
import org.ocfcloudbridge.ocf.OcfCodecException;
import org.ocfcloudbridge.ocf.OcfFormat;
import org.ocfcloudbridge.ocf.Protocol;

import java.util.List;
import java.util.function.Consumer;
import java.util.regex.Pattern;

/**
 * A device's {@code oic.r.coapcloudconf} at {@code /CoapCloudConfResURI} (Part 11 §10–§11), with the provisioning
 * state ({@code cps}) and last error ({@code clec}) as iotivity-lite keeps them. A Mediator POSTs {@code cis},
 * {@code at}, {@code sid}, {@code apn}; {@code cis:""} deregisters.
 */
public final class CloudConfResource extends CoapResource {

    public static final String HREF = "/CoapCloudConfResURI";
    public static final String UNINITIALIZED = "uninitialized";
    public static final String READY = "readytoregister";
    public static final String REGISTERING = "registering";
    public static final String REGISTERED = "registered";
    public static final String FAILED = "failed";

    /** clec values (§11). */
    public static final int NO_ERROR = 0;
    public static final int ERROR_RESPONSE = 1;
    public static final int CONNECT_FAILED = 2;
    public static final int REFRESH_FAILED = 3;
    public static final int UNAUTHORIZED = 4;

    private static final Pattern UUID = Pattern.compile("[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}");
    private static final OcfCodec CODEC = OcfCodec.get();

    /** What the Mediator asked for. */
    public record Provisioning(String cis, String at, String sid, String apn) {
    }

    private final Consumer<Provisioning> onProvisioned;
    private String cis = "";
    private String apn = "";
    private String sid = "00000000-0000-0000-0000-000000000000";
    private String cps = UNINITIALIZED;
    private int clec = NO_ERROR;

    public CloudConfResource(Consumer<Provisioning> onProvisioned) {
        super(HREF.substring(1));
        this.onProvisioned = onProvisioned;
        setObservable(true);
        getAttributes().addResourceType(Protocol.ResourceTypes.COAP_CLOUD_CONF);
    }

    public synchronized String cps() {
        return cps;
    }

    public synchronized int clec() {
        return clec;
    }

    /** The device's registration moved on (the agent reports it). */
    public synchronized void state(String cps, int clec) {
        this.cps = cps;
        this.clec = clec;
        changed();
    }

    public synchronized CoapCloudConf representation() {
        CoapCloudConf c = new CoapCloudConf();
        c.rt = List.of(Protocol.ResourceTypes.COAP_CLOUD_CONF);
        c.interfaces = List.of("oic.if.rw", "oic.if.baseline");
        c.cis = cis;
        c.apn = apn;
        c.sid = sid;
        c.cps = cps;
        c.clec = clec;
        return c;
    }

    @Override
    public void handleGET(CoapExchange exchange) {
        exchange.respond(ResponseCode.CONTENT, CODEC.encode(representation(), OcfFormat.OCF_CBOR), Protocol.MediaTypes.OCF_CBOR_FORMAT);
    }

    @Override
    public void handlePOST(CoapExchange exchange) {
        CoapCloudConf req;
        try {
            req = CODEC.decode(exchange.getRequestPayload(), CoapCloudConf.class, OcfFormat.OCF_CBOR);
        } catch (OcfCodecException e) {
            exchange.respond(ResponseCode.BAD_REQUEST, e.getMessage(), MediaTypeRegistry.TEXT_PLAIN);
            return;
        }
        Provisioning accepted;
        synchronized (this) {
            String refusal = refusal(req);
            if (refusal != null) {
                exchange.respond(ResponseCode.BAD_REQUEST, refusal, MediaTypeRegistry.TEXT_PLAIN);
                return;
            }
            if (req.cis.isEmpty()) {
                // cps becomes uninitialized once the device has deregistered (the agent reports it).
                cis = "";
            } else {
                cis = req.cis;
                sid = req.sid;
                apn = req.apn == null ? "" : req.apn;
                cps = READY;
            }
            clec = NO_ERROR;
            accepted = new Provisioning(cis, req.at, sid, apn);
        }
        changed();
        exchange.respond(ResponseCode.CHANGED, CODEC.encode(representation(), OcfFormat.OCF_CBOR), Protocol.MediaTypes.OCF_CBOR_FORMAT);
        onProvisioned.accept(accepted);
    }

    /** iotivity-lite's rules (§10); null when the update is acceptable. */
    private String refusal(CoapCloudConf req) {
        if (req.cps != null || req.clec != null) {
            return "cps and clec are read-only";
        }
        if (req.cis == null) {
            return "missing cis";
        }
        if (req.cis.isEmpty()) {
            return null;
        }
        if (REGISTERING.equals(cps) || REGISTERED.equals(cps)) {
            return "already " + cps + ": deregister first (cis \"\")";
        }
        if (req.at == null || req.at.isEmpty()) {
            return "missing at";
        }
        if (req.sid == null || !UUID.matcher(req.sid).matches()) {
            return "sid is not a UUID";
        }
        return null;
    }
}
