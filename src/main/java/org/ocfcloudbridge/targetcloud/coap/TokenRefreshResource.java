package org.ocfcloudbridge.targetcloud.coap;

import org.eclipse.californium.core.coap.CoAP.ResponseCode;
import org.eclipse.californium.core.server.resources.CoapExchange;
import org.ocfcloudbridge.identity.DeviceAuthorization;
import org.ocfcloudbridge.identity.ExternalProviders;
import org.ocfcloudbridge.identity.Secrets;
import org.ocfcloudbridge.ocf.Protocol;
import org.ocfcloudbridge.ocf.TokenRefreshRequest;
import org.ocfcloudbridge.ocf.TokenRefreshResponse;
import org.ocfcloudbridge.store.DeviceRecord;
import org.ocfcloudbridge.targetcloud.DeviceDirectory;

import java.util.List;
import java.util.Optional;
import java.util.concurrent.Executor;

/** {@code /oic/sec/tokenrefresh} (§14); works on a connection that has not signed in (the token may have expired). */
final class TokenRefreshResource extends OcfResource {

    private final DeviceAuthorization authorization;
    private final DeviceDirectory directory;
    private final RecentAnswers<TokenRefreshResponse> recent = new RecentAnswers<>(60_000);

    TokenRefreshResource(Executor executor, DeviceAuthorization authorization, DeviceDirectory directory) {
        super("tokenrefresh", executor);
        this.authorization = authorization;
        this.directory = directory;
    }

    @Override
    public void handlePOST(CoapExchange exchange) {
        async(exchange, () -> {
            TokenRefreshRequest req = decode(exchange, TokenRefreshRequest.class);
            String di = requireDeviceId(req.di);
            String uid = require(req.uid, "uid");
            String refresh = require(req.refreshtoken, "refreshtoken");
            requireCertificateMatches(exchange, di);
            Optional<DeviceRecord> device = directory.find(di);
            if (device.isEmpty() || !device.get().ownerId.equals(uid)) {
                throw CoapError.unauthorized("the device is not signed up for this user");
            }
            String provider = device.get().provider;
            TokenRefreshResponse r = recent.get(Secrets.sha256Hex(di + "\n" + refresh), () -> {
                DeviceAuthorization.DeviceTokens t;
                try {
                    t = authorization.refresh(provider, refresh, di);
                } catch (DeviceAuthorization.UnknownProvider | DeviceAuthorization.Refused e) {
                    throw CoapError.unauthorized(e.getMessage());
                } catch (ExternalProviders.Unavailable e) {
                    throw new CoapError(ResponseCode.SERVICE_UNAVAILABLE, "identity provider unavailable, retry later");
                }
                if (!t.uid().equals(uid)) {
                    throw CoapError.unauthorized("the refresh token belongs to another user");
                }
                TokenRefreshResponse out = new TokenRefreshResponse();
                out.rt = List.of(Protocol.ResourceTypes.TOKEN_REFRESH);
                out.accesstoken = t.accessToken();
                out.refreshtoken = t.refreshToken();
                out.expiresin = t.expiresIn() <= 0 ? -1 : t.expiresIn();
                return out;
            });
            return cbor(exchange, ResponseCode.CHANGED, r);
        });
    }
}
