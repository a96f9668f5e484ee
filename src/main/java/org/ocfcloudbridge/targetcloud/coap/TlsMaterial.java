package org.ocfcloudbridge.targetcloud.coap;

import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x509.BasicConstraints;
import org.bouncycastle.asn1.x509.ExtendedKeyUsage;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralNames;
import org.bouncycastle.asn1.x509.KeyPurposeId;
import org.bouncycastle.cert.X509CertificateHolder;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.openssl.PEMKeyPair;
import org.bouncycastle.openssl.PEMParser;
import org.bouncycastle.openssl.jcajce.JcaPEMKeyConverter;
import org.bouncycastle.openssl.jcajce.JcaPEMWriter;
import org.bouncycastle.openssl.jcajce.JcaPKCS8Generator;
import org.bouncycastle.asn1.pkcs.PrivateKeyInfo;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;
import org.jboss.logging.Logger;
import org.ocfcloudbridge.store.DataFolder;

import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManager;
import javax.net.ssl.TrustManagerFactory;
import java.io.IOException;
import java.io.Reader;
import java.io.StringWriter;
import java.math.BigInteger;
import java.net.InetAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.KeyStore;
import java.security.PrivateKey;
import java.security.SecureRandom;
import java.security.cert.X509Certificate;
import java.security.spec.ECGenParameterSpec;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Date;
import java.util.List;
import java.util.UUID;

/**
 * The certificate and key of the CoAP-over-TLS listener: configured PEM files, or a self-signed EC P-256 pair made
 * once in the data folder. Its subject is {@code CN=uuid:<sid>}: devices take the cloud's UUID from it (Part 11 §8).
 */
public final class TlsMaterial {

    static final String CERT_FILE = "coap-tls.crt";
    static final String KEY_FILE = "coap-tls.key";
    private static final Logger LOG = Logger.getLogger(TlsMaterial.class);

    private TlsMaterial() {
    }

    /** Builds the server SSLContext; {@code trustAnchors} (PEM CAs) enable verifying device certificates. */
    public static SSLContext serverContext(Path certificate, Path key, Path trustAnchors) throws IOException, GeneralSecurityException {
        List<X509Certificate> chain = readCertificates(certificate);
        if (chain.isEmpty()) {
            throw new IOException(certificate + " holds no certificate");
        }
        List<X509Certificate> anchors = null;
        if (trustAnchors != null) {
            anchors = readCertificates(trustAnchors);
            if (anchors.isEmpty()) {
                throw new IOException(trustAnchors + " holds no certificate");
            }
        }
        return serverContext(chain, readPrivateKey(key), anchors);
    }

    /** The same from parsed material: {@code trustAnchors} may be null (no client certificates verified). */
    public static SSLContext serverContext(List<X509Certificate> chain, PrivateKey privateKey, List<X509Certificate> trustAnchors)
            throws IOException, GeneralSecurityException {
        KeyStore ks = KeyStore.getInstance("PKCS12");
        ks.load(null, null);
        char[] pw = new char[0];
        ks.setKeyEntry("coap", privateKey, pw, chain.toArray(X509Certificate[]::new));
        KeyManagerFactory kmf = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
        kmf.init(ks, pw);
        TrustManager[] tms = null;
        if (trustAnchors != null) {
            KeyStore ts = KeyStore.getInstance("PKCS12");
            ts.load(null, null);
            int i = 0;
            for (X509Certificate ca : trustAnchors) {
                ts.setCertificateEntry("ca" + i++, ca);
            }
            TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
            tmf.init(ts);
            tms = tmf.getTrustManagers();
        }
        SSLContext ctx = SSLContext.getInstance("TLS");
        ctx.init(kmf.getKeyManagers(), tms, new SecureRandom());
        return ctx;
    }

    /** The self-signed pair in {@code dataDir}, created on first use. Returns {certificate, key}. */
    public static Path[] selfSigned(Path dataDir, UUID sid, List<String> hostNames) throws IOException, GeneralSecurityException {
        Path cert = dataDir.resolve(CERT_FILE);
        Path key = dataDir.resolve(KEY_FILE);
        if (Files.isRegularFile(cert) && Files.isRegularFile(key)) {
            return new Path[] {cert, key};
        }
        DataFolder.prepare(dataDir);
        KeyPairGenerator gen = KeyPairGenerator.getInstance("EC");
        gen.initialize(new ECGenParameterSpec("secp256r1"));
        KeyPair pair = gen.generateKeyPair();
        X500Name subject = new X500Name("CN=uuid:" + sid);
        Instant now = Instant.now();
        JcaX509v3CertificateBuilder b = new JcaX509v3CertificateBuilder(subject, new BigInteger(64, new SecureRandom()),
                Date.from(now.minus(Duration.ofDays(1))), Date.from(now.plus(Duration.ofDays(3650))), subject, pair.getPublic());
        List<GeneralName> names = new ArrayList<>();
        for (String h : hostNames) {
            boolean ip = h.matches("[0-9.]+") || h.contains(":");
            names.add(new GeneralName(ip ? GeneralName.iPAddress : GeneralName.dNSName, h));
        }
        b.addExtension(Extension.subjectAlternativeName, false, new GeneralNames(names.toArray(GeneralName[]::new)));
        b.addExtension(Extension.basicConstraints, true, new BasicConstraints(false));
        b.addExtension(Extension.extendedKeyUsage, false,
                new ExtendedKeyUsage(new KeyPurposeId[] {KeyPurposeId.id_kp_serverAuth, KeyPurposeId.id_kp_clientAuth}));
        X509CertificateHolder holder;
        try {
            holder = b.build(new JcaContentSignerBuilder("SHA256withECDSA").build(pair.getPrivate()));
        } catch (org.bouncycastle.operator.OperatorCreationException e) {
            throw new GeneralSecurityException(e);
        }
        X509Certificate x509 = new JcaX509CertificateConverter().getCertificate(holder);
        writePem(key, new JcaPKCS8Generator(pair.getPrivate(), null));
        writePem(cert, x509);
        LOG.infof("created a self-signed CoAP TLS certificate for uuid:%s in %s", sid, cert);
        return new Path[] {cert, key};
    }

    static List<String> defaultHostNames(String publicHost) throws IOException {
        List<String> names = new ArrayList<>(List.of("localhost", "127.0.0.1"));
        if (publicHost != null && !names.contains(publicHost)) {
            names.add(0, publicHost.replace("[", "").replace("]", ""));
        }
        String local = InetAddress.getLocalHost().getHostName();
        if (!names.contains(local)) {
            names.add(local);
        }
        return names;
    }

    private static void writePem(Path file, Object object) throws IOException {
        StringWriter w = new StringWriter();
        try (JcaPEMWriter pem = new JcaPEMWriter(w)) {
            pem.writeObject(object);
        }
        Path tmp = file.resolveSibling(file.getFileName() + ".tmp");
        // Everything in the data folder is the daemon's alone (0600), the certificate too.
        Files.deleteIfExists(tmp);
        DataFolder.writeSecret(tmp, w.toString());
        Files.move(tmp, file, java.nio.file.StandardCopyOption.ATOMIC_MOVE, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
    }

    static List<X509Certificate> readCertificates(Path pem) throws IOException, GeneralSecurityException {
        List<X509Certificate> out = new ArrayList<>();
        JcaX509CertificateConverter conv = new JcaX509CertificateConverter();
        try (Reader r = Files.newBufferedReader(pem); PEMParser p = new PEMParser(r)) {
            for (Object o; (o = p.readObject()) != null; ) {
                if (o instanceof X509CertificateHolder h) {
                    out.add(conv.getCertificate(h));
                }
            }
        }
        return out;
    }

    static PrivateKey readPrivateKey(Path pem) throws IOException {
        try (Reader r = Files.newBufferedReader(pem); PEMParser p = new PEMParser(r)) {
            for (Object o; (o = p.readObject()) != null; ) {
                JcaPEMKeyConverter conv = new JcaPEMKeyConverter();
                if (o instanceof PEMKeyPair kp) {
                    // A SEC1 "EC PRIVATE KEY" may lack its public part: take the private key alone.
                    return conv.getPrivateKey(kp.getPrivateKeyInfo());
                }
                if (o instanceof PrivateKeyInfo info) {
                    return conv.getPrivateKey(info);
                }
            }
        }
        throw new IOException(pem + " holds no private key");
    }
}
