package com.timereg.gateway.testsupport;

import java.io.IOException;
import java.io.StringWriter;
import java.math.BigInteger;
import java.net.InetAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.KeyStore;
import java.security.SecureRandom;
import java.security.cert.X509Certificate;
import java.security.spec.ECGenParameterSpec;
import java.time.Duration;
import java.time.Instant;
import java.util.Date;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x509.BasicConstraints;
import org.bouncycastle.asn1.x509.ExtendedKeyUsage;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralNames;
import org.bouncycastle.asn1.x509.KeyPurposeId;
import org.bouncycastle.asn1.x509.KeyUsage;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.openssl.jcajce.JcaPEMWriter;
import org.bouncycastle.openssl.jcajce.JcaPKCS8Generator;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;

/** A throwaway certificate authority for tests: server certificates and client certificates. */
public final class TestPki {
  public record Issued(X509Certificate cert, KeyPair keys) {}

  private final Issued ca;

  public TestPki(String name) throws Exception {
    KeyPair kp = keyPair();
    X500Name subject = new X500Name("CN=" + name);
    JcaX509v3CertificateBuilder b = builder(subject, subject, kp);
    b.addExtension(Extension.basicConstraints, true, new BasicConstraints(true));
    b.addExtension(Extension.keyUsage, true, new KeyUsage(KeyUsage.keyCertSign | KeyUsage.cRLSign));
    ca = new Issued(sign(b, kp), kp);
  }

  private TestPki(Issued ca) {
    this.ca = ca;
  }

  /**
   * A CA under this one (an intermediate) valid until {@code notAfter}, so that a chain can expire above its leaf.
   * What it issues is signed by it; {@link #caCertificate} is the certificate to serve after the leaf.
   */
  public TestPki intermediate(String name, Instant notAfter) throws Exception {
    KeyPair kp = keyPair();
    JcaX509v3CertificateBuilder b = new JcaX509v3CertificateBuilder(
        new X500Name(ca.cert().getSubjectX500Principal().getName()), new BigInteger(64, new SecureRandom()),
        Date.from(Instant.now().minus(Duration.ofDays(30))), Date.from(notAfter), new X500Name("CN=" + name),
        kp.getPublic());
    b.addExtension(Extension.basicConstraints, true, new BasicConstraints(0));
    b.addExtension(Extension.keyUsage, true, new KeyUsage(KeyUsage.keyCertSign | KeyUsage.cRLSign));
    return new TestPki(new Issued(sign(b, ca.keys()), kp));
  }

  public X509Certificate caCertificate() {
    return ca.cert();
  }

  /** A server certificate for localhost and 127.0.0.1. */
  public Issued server() throws Exception {
    return server("CN=localhost", new GeneralName(GeneralName.dNSName, "localhost"),
        new GeneralName(GeneralName.iPAddress, InetAddress.getByName("127.0.0.1").getHostAddress()));
  }

  /** A server certificate for {@code subject} naming {@code names} as its subject alternative names. */
  public Issued server(String subject, GeneralName... names) throws Exception {
    KeyPair kp = keyPair();
    JcaX509v3CertificateBuilder b = builder(new X500Name(ca.cert().getSubjectX500Principal().getName()),
        new X500Name(subject), kp);
    b.addExtension(Extension.subjectAlternativeName, false, new GeneralNames(names));
    return new Issued(sign(b, ca.keys()), kp);
  }

  public Issued client(String subject) throws Exception {
    return client(subject, new KeyPurposeId[0]);
  }

  /** A certificate for {@code subject} limited to {@code purposes} (an extended key usage), or not limited. */
  public Issued client(String subject, KeyPurposeId... purposes) throws Exception {
    KeyPair kp = keyPair();
    JcaX509v3CertificateBuilder b = builder(new X500Name(ca.cert().getSubjectX500Principal().getName()),
        new X500Name(subject), kp);
    if (purposes.length > 0) {
      b.addExtension(Extension.extendedKeyUsage, false, new ExtendedKeyUsage(purposes));
    }
    return new Issued(sign(b, ca.keys()), kp);
  }

  /** An unlimited client certificate for {@code subject} with an RSA key of {@code bits}. */
  public Issued rsaClient(String subject, int bits) throws Exception {
    KeyPairGenerator kpg = KeyPairGenerator.getInstance("RSA");
    kpg.initialize(bits, new SecureRandom());
    KeyPair kp = kpg.generateKeyPair();
    return new Issued(sign(builder(new X500Name(ca.cert().getSubjectX500Principal().getName()), new X500Name(subject), kp),
        ca.keys()), kp);
  }

  public void writeCa(Path file) throws IOException {
    Files.writeString(file, pem(ca.cert()));
  }

  public static void write(Issued issued, Path cert, Path key) throws IOException {
    Files.writeString(cert, pem(issued.cert()));
    Files.writeString(key, pem(new JcaPKCS8Generator(issued.keys().getPrivate(), null)));
    // Owner-only, as a key should be: readable by others it would be warned about at start.
    Files.setPosixFilePermissions(key, java.nio.file.attribute.PosixFilePermissions.fromString("rw-------"));
  }

  /** {@code issued}'s certificate followed by {@code above} (its chain, as a fullchain.pem), and its key. */
  public static void write(Issued issued, Path cert, Path key, X509Certificate... above) throws IOException {
    write(issued, cert, key);
    StringBuilder chain = new StringBuilder(pem(issued.cert()));
    for (X509Certificate c : above) {
      chain.append(pem(c));
    }
    Files.writeString(cert, chain);
  }

  /** A client TLS context presenting {@code identity} (or nothing) and trusting this CA. */
  public SSLContext clientContext(Issued identity) throws Exception {
    KeyStore trust = KeyStore.getInstance("PKCS12");
    trust.load(null, null);
    trust.setCertificateEntry("ca", ca.cert());
    TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
    tmf.init(trust);
    KeyManagerFactory kmf = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
    KeyStore keys = KeyStore.getInstance("PKCS12");
    keys.load(null, null);
    if (identity != null) {
      keys.setKeyEntry("me", identity.keys().getPrivate(), new char[0], new X509Certificate[] {identity.cert()});
    }
    kmf.init(keys, new char[0]);
    SSLContext ctx = SSLContext.getInstance("TLS");
    ctx.init(kmf.getKeyManagers(), tmf.getTrustManagers(), new SecureRandom());
    return ctx;
  }

  private static KeyPair keyPair() throws Exception {
    KeyPairGenerator kpg = KeyPairGenerator.getInstance("EC");
    kpg.initialize(new ECGenParameterSpec("secp256r1"), new SecureRandom());
    return kpg.generateKeyPair();
  }

  private static JcaX509v3CertificateBuilder builder(X500Name issuer, X500Name subject, KeyPair kp) {
    Instant now = Instant.now();
    return new JcaX509v3CertificateBuilder(issuer, new BigInteger(64, new SecureRandom()),
        Date.from(now.minus(Duration.ofHours(1))), Date.from(now.plus(Duration.ofDays(2))), subject, kp.getPublic());
  }

  private static X509Certificate sign(JcaX509v3CertificateBuilder b, KeyPair signer) throws Exception {
    return new JcaX509CertificateConverter().getCertificate(
        b.build(new JcaContentSignerBuilder("SHA256withECDSA").build(signer.getPrivate())));
  }

  private static String pem(Object o) throws IOException {
    StringWriter sw = new StringWriter();
    try (JcaPEMWriter w = new JcaPEMWriter(sw)) {
      w.writeObject(o);
    }
    return sw.toString();
  }
}
