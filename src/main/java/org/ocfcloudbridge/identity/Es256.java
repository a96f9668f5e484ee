package org.ocfcloudbridge.identity;

import org.bouncycastle.asn1.x9.X9ECParameters;
import org.bouncycastle.crypto.digests.SHA256Digest;
import org.bouncycastle.crypto.ec.CustomNamedCurves;
import org.bouncycastle.crypto.params.ECDomainParameters;
import org.bouncycastle.crypto.params.ECPrivateKeyParameters;
import org.bouncycastle.crypto.params.ECPublicKeyParameters;
import org.bouncycastle.crypto.signers.ECDSASigner;
import org.bouncycastle.crypto.signers.HMacDSAKCalculator;
import org.bouncycastle.util.BigIntegers;

import java.math.BigInteger;
import java.security.interfaces.ECPrivateKey;
import java.security.interfaces.ECPublicKey;

/**
 * ES256 (RFC 7518 §3.4: ECDSA on P-256 over SHA-256, the signature as R ‖ S of 32 bytes each) with Bouncy Castle's
 * lightweight ECDSA on its P-256 curve, not the JDK's.
 * <p>
 * Measured side by side on this project's 2-core machine, warm (2026-12-06): a signature 0.45–0.52 ms in the JDK 17
 * against 0.07–0.1 ms here; a verification 1.15–1.2 ms against 0.1 ms. One signature is made per token issued (each
 * device sign-up and refresh), one verification per token an instance has not seen yet (each device's sign-in after a
 * restart, at another cluster instance, or a Cloud API token's first call). The JDK's Ed25519 is no faster (0.63–0.74
 * ms). Signatures use a deterministic nonce (RFC 6979): no random source is drawn on, none can be weak. Only the
 * lightweight API is used: plain classes, no JCA provider, no reflection.
 */
final class Es256 {

    static final int SIGNATURE_BYTES = 64;

    private static final X9ECParameters P256 = CustomNamedCurves.getByName("P-256");
    private static final ECDomainParameters DOMAIN = new ECDomainParameters(P256.getCurve(), P256.getG(), P256.getN(), P256.getH());

    private Es256() {
    }

    static ECPrivateKeyParameters privateKey(ECPrivateKey key) {
        return new ECPrivateKeyParameters(key.getS(), DOMAIN);
    }

    /** The public key as the verifier needs it; a point that is not on P-256 is refused here (IllegalArgumentException). */
    static ECPublicKeyParameters publicKey(ECPublicKey key) {
        return new ECPublicKeyParameters(P256.getCurve().createPoint(key.getW().getAffineX(), key.getW().getAffineY()), DOMAIN);
    }

    static byte[] sign(ECPrivateKeyParameters key, byte[] input) {
        ECDSASigner ecdsa = new ECDSASigner(new HMacDSAKCalculator(new SHA256Digest()));
        ecdsa.init(true, key);
        BigInteger[] rs = ecdsa.generateSignature(sha256(input));
        byte[] out = new byte[SIGNATURE_BYTES];
        BigIntegers.asUnsignedByteArray(rs[0], out, 0, 32);
        BigIntegers.asUnsignedByteArray(rs[1], out, 32, 32);
        return out;
    }

    /** Whether {@code signature} (R ‖ S, exactly 64 bytes) is the key's signature of {@code input}. */
    static boolean verify(ECPublicKeyParameters key, byte[] input, byte[] signature) {
        if (signature.length != SIGNATURE_BYTES) {
            return false;
        }
        ECDSASigner ecdsa = new ECDSASigner();
        ecdsa.init(false, key);
        // verifySignature refuses R or S outside [1, n-1] itself.
        return ecdsa.verifySignature(sha256(input), BigIntegers.fromUnsignedByteArray(signature, 0, 32),
                BigIntegers.fromUnsignedByteArray(signature, 32, 32));
    }

    private static byte[] sha256(byte[] input) {
        SHA256Digest digest = new SHA256Digest();
        digest.update(input, 0, input.length);
        byte[] hash = new byte[digest.getDigestSize()];
        digest.doFinal(hash, 0);
        return hash;
    }
}
