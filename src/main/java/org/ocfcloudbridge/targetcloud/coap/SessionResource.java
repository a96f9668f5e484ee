package org.ocfcloudbridge.targetcloud.coap;

import org.eclipse.californium.core.coap.CoAP.ResponseCode;
import org.eclipse.californium.core.server.resources.CoapExchange;
import org.ocfcloudbridge.identity.ExternalProviders;
import org.ocfcloudbridge.identity.InvalidTokenException;
import org.ocfcloudbridge.identity.DeviceAuthorization;
import org.ocfcloudbridge.identity.TokenVerifier;
import org.ocfcloudbridge.identity.VerifiedToken;
import org.ocfcloudbridge.ocf.Protocol;
import org.ocfcloudbridge.ocf.SessionRequest;
import org.ocfcloudbridge.ocf.SessionResponse;
import org.ocfcloudbridge.targetcloud.DeviceDirectory;

import java.time.Instant;
import java.util.List;
import java.util.concurrent.Executor;

/** {@code /oic/sec/session}: sign-in binds the connection to the device and puts it online; sign-out ends that (§13). */
final class SessionResource extends OcfResource {

    private final TokenVerifier verifier;
    private final DeviceDirectory directory;
    private final DeviceSessions sessions;

    private final DeviceAuthorization authorization;

    SessionResource(Executor executor, TokenVerifier verifier, DeviceAuthorization authorization, DeviceDirectory directory,
                    DeviceSessions sessions) {
        super("session", executor);
        this.authorization = authorization;
        this.verifier = verifier;
        this.directory = directory;
        this.sessions = sessions;
    }

    @Override
    public void handlePOST(CoapExchange exchange) {
        async(exchange, () -> {
            SessionRequest req = decode(exchange, SessionRequest.class);
            String di = requireDeviceId(req.di);
            String connection = connectionId(exchange);
            if (req.login == null) {
                throw CoapError.badRequest("missing login");
            }
            SessionResponse r = new SessionResponse();
            if (!req.login) {
                sessions.byConnection(connection).filter(s -> s.deviceId().equals(di))
                        .ifPresent(s -> sessions.signOut(connection));
                return cbor(exchange, ResponseCode.CHANGED, r);
            }
            String uid = require(req.uid, "uid");
            String token = require(req.accesstoken, "accesstoken");
            requireCertificateMatches(exchange, di);
            VerifiedToken v;
            try {
                v = verifier.verify(token);
            } catch (InvalidTokenException e) {
                throw CoapError.unauthorized(e.getMessage());
            } catch (ExternalProviders.Unavailable e) {
                throw new CoapError(ResponseCode.SERVICE_UNAVAILABLE, "identity provider unavailable, retry later");
            }
            if (!v.owner().equals(uid)) {
                throw CoapError.unauthorized("the token belongs to another user");
            }
            try {
                authorization.requireGatewayToken(v, di);
            } catch (DeviceAuthorization.Refused e) {
                throw CoapError.unauthorized(e.getMessage());
            }
            if (!directory.signingIn(di, uid)) {
                throw CoapError.unauthorized("the device is not signed up for this user");
            }
            if (!sessions.signIn(connection, di, uid, sourceContext(exchange), v.expiresAt())) {
                // Nobody is left to read this; said for the log of the exchange.
                throw new CoapError(ResponseCode.SERVICE_UNAVAILABLE, "the connection closed before the sign-in was done");
            }
            r.rt = List.of(Protocol.ResourceTypes.SESSION);
            r.expiresin = Math.max(0, v.expiresAt().getEpochSecond() - Instant.now().getEpochSecond());
            return cbor(exchange, ResponseCode.CHANGED, r);
        });
    }
}
