package org.ocfcloudbridge.targetcloud.coap;

import org.eclipse.californium.core.coap.CoAP.ResponseCode;
import org.eclipse.californium.core.coap.Response;
import org.eclipse.californium.core.server.resources.CoapExchange;
import org.ocfcloudbridge.identity.DeviceAuthorization;
import org.ocfcloudbridge.identity.ExternalProviders;
import org.ocfcloudbridge.identity.InvalidTokenException;
import org.ocfcloudbridge.identity.Secrets;
import org.ocfcloudbridge.identity.TokenVerifier;
import org.ocfcloudbridge.identity.VerifiedToken;
import org.ocfcloudbridge.ocf.Protocol;
import org.ocfcloudbridge.ocf.SignUpRequest;
import org.ocfcloudbridge.ocf.SignUpResponse;
import org.ocfcloudbridge.store.DeviceRecord;
import org.ocfcloudbridge.targetcloud.DeviceDirectory;

import java.util.List;
import java.util.Optional;
import java.util.concurrent.Executor;

/** {@code /oic/sec/account}: sign-up (POST) and deregistration (DELETE), Part 11 §12. */
final class AccountResource extends OcfResource {

    private final DeviceAuthorization authorization;
    private final TokenVerifier verifier;
    private final DeviceDirectory directory;
    private final DeviceSessions sessions;
    private final Optional<String> redirectUri;
    private final RecentAnswers<SignUpResponse> recent = new RecentAnswers<>(60_000);

    AccountResource(Executor executor, DeviceAuthorization authorization, TokenVerifier verifier, DeviceDirectory directory,
                    DeviceSessions sessions, Optional<String> redirectUri) {
        super("account", executor);
        this.authorization = authorization;
        this.verifier = verifier;
        this.directory = directory;
        this.sessions = sessions;
        this.redirectUri = redirectUri;
    }

    @Override
    public void handlePOST(CoapExchange exchange) {
        async(exchange, () -> {
            SignUpRequest req = decode(exchange, SignUpRequest.class);
            String di = requireDeviceId(req.di);
            String token = require(req.accesstoken, "accesstoken");
            requireCertificateMatches(exchange, di);
            String key = Secrets.sha256Hex(di + "\n" + req.authprovider + "\n" + token);
            return cbor(exchange, ResponseCode.CHANGED, recent.get(key, () -> signUp(req, di, token)));
        });
    }

    private SignUpResponse signUp(SignUpRequest req, String di, String token) {
        DeviceAuthorization.DeviceTokens t;
        try {
            t = looksLikeJwt(token) && req.uid != null
                    ? authorization.signUpWithAccessToken(token, di)
                    : authorization.signUp(req.authprovider, token, di);
        } catch (DeviceAuthorization.UnknownProvider | DeviceAuthorization.Refused e) {
            throw CoapError.unauthorized(e.getMessage());
        } catch (ExternalProviders.Unavailable e) {
            throw new CoapError(ResponseCode.SERVICE_UNAVAILABLE, "identity provider unavailable, retry later");
        }
        if (req.uid != null && !req.uid.equals(t.uid())) {
            throw CoapError.unauthorized("uid does not match the token");
        }
        try {
            directory.bind(di, t.uid(), t.provider());
        } catch (DeviceDirectory.OwnedByAnother e) {
            authorization.revokeDevice(di);
            throw CoapError.forbidden(e.getMessage());
        }
        SignUpResponse r = new SignUpResponse();
        r.rt = List.of(Protocol.ResourceTypes.ACCOUNT);
        r.accesstoken = t.accessToken();
        r.refreshtoken = t.refreshToken();
        r.expiresin = t.expiresIn() <= 0 ? -1 : t.expiresIn();
        r.uid = t.uid();
        r.redirecturi = redirectUri.orElse(null);
        return r;
    }

    @Override
    public void handleDELETE(CoapExchange exchange) {
        async(exchange, () -> {
            String connection = connectionId(exchange);
            Optional<DeviceSessions.Session> session = sessions.byConnection(connection);
            String di = exchange.getQueryParameter("di");
            String owner;
            if (session.isPresent()) {
                if (di != null && !di.equalsIgnoreCase(session.get().deviceId())) {
                    throw CoapError.forbidden("this connection is signed in as another device");
                }
                di = session.get().deviceId();
                owner = session.get().ownerId();
            } else {
                di = requireDeviceId(di);
                String token = require(exchange.getQueryParameter("accesstoken"), "accesstoken (or sign in first)");
                VerifiedToken v;
                try {
                    v = verifier.verify(token);
                } catch (InvalidTokenException e) {
                    throw CoapError.unauthorized(e.getMessage());
                }
                try {
                    authorization.requireGatewayToken(v, di);
                } catch (DeviceAuthorization.Refused e) {
                    throw CoapError.unauthorized(e.getMessage());
                }
                owner = v.owner();
            }
            String uid = exchange.getQueryParameter("uid");
            if (uid != null && !uid.equals(owner)) {
                throw CoapError.unauthorized("uid does not match");
            }
            requireCertificateMatches(exchange, di);
            Optional<DeviceRecord> device = directory.find(di);
            if (device.isEmpty()) {
                throw new CoapError(ResponseCode.NOT_FOUND, "device not signed up");
            }
            if (!device.get().ownerId.equals(owner)) {
                throw CoapError.forbidden("the device belongs to another user");
            }
            sessions.drop(di);
            authorization.revokeDevice(di);
            directory.remove(di);
            return new Response(ResponseCode.DELETED);
        });
    }

    private static boolean looksLikeJwt(String token) {
        return token.chars().filter(c -> c == '.').count() == 2 && token.startsWith("ey");
    }
}
