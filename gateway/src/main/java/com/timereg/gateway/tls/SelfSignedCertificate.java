package com.timereg.gateway.tls;

import java.io.IOException;
import java.io.StringWriter;
import java.math.BigInteger;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.security.spec.ECGenParameterSpec;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Date;
import java.util.HexFormat;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x509.BasicConstraints;
import org.bouncycastle.asn1.x509.ExtendedKeyUsage;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralNames;
import org.bouncycastle.asn1.x509.KeyPurposeId;
import org.bouncycastle.asn1.x509.KeyUsage;
import org.bouncycastle.cert.X509v3CertificateBuilder;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.openssl.jcajce.JcaPEMWriter;
import org.bouncycastle.operator.OperatorCreationException;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;

/**
 * A self-signed certificate for localhost, 127.0.0.1 and ::1, for local use only. Generated once
 * into the data directory and reused on later starts until it is close to expiry, so a developer
 * trusts it once rather than on every start.
 */
public final class SelfSignedCertificate {
  static final String CERT_FILE = "selfsigned-cert.pem";
  static final String KEY_FILE = "selfsigned-key.pem";
  private static final Duration VALIDITY = Duration.ofDays(365);
  private static final Duration RENEW_BEFORE = Duration.ofDays(7);

  private final Path certFile;
  private final Path keyFile;
  private final String fingerprint;
  private final boolean generated;

  private SelfSignedCertificate(Path certFile, Path keyFile, String fingerprint, boolean generated) {
    this.certFile = certFile;
    this.keyFile = keyFile;
    this.fingerprint = fingerprint;
    this.generated = generated;
  }

  /** Loads the certificate in {@code dir}, or generates one when absent or about to expire. Blocking. */
  public static SelfSignedCertificate loadOrCreate(Path dir, Clock clock) throws IOException {
    Path cert = dir.resolve(CERT_FILE);
    Path key = dir.resolve(KEY_FILE);
    // A key whose mode let group or others write it (anyone there could have put their own pair in place) or others
    // read it is not reused: the configured key files get this check at start, and a fresh pair costs nothing here.
    boolean keyPrivate = KeyFileMode.of(key).map(m -> !m.writableByGroupOrOthers() && !m.readableByOthers()).orElse(true);
    if (keyPrivate && Files.isRegularFile(cert) && Files.isRegularFile(key)) {
      X509Certificate existing = read(cert);
      if (existing != null && existing.getNotAfter().toInstant().isAfter(clock.instant().plus(RENEW_BEFORE))) {
        return new SelfSignedCertificate(cert, key, fingerprint(existing), false);
      }
    }
    Files.createDirectories(dir);
    X509Certificate created = generate(cert, key, clock.instant());
    return new SelfSignedCertificate(cert, key, fingerprint(created), true);
  }

  public Path certFile() {
    return certFile;
  }

  public Path keyFile() {
    return keyFile;
  }

  /** SHA-256 fingerprint of the certificate, colon-separated upper-case hex, as browsers show it. */
  public String fingerprint() {
    return fingerprint;
  }

  public boolean generated() {
    return generated;
  }

  private static X509Certificate read(Path cert) {
    try (var in = Files.newInputStream(cert)) {
      return (X509Certificate) CertificateFactory.getInstance("X.509").generateCertificate(in);
    } catch (IOException | GeneralSecurityException e) {
      return null; // unreadable: regenerate rather than refuse to start in local mode
    }
  }

  private static X509Certificate generate(Path certFile, Path keyFile, Instant now) throws IOException {
    try {
      KeyPairGenerator kpg = KeyPairGenerator.getInstance("EC");
      kpg.initialize(new ECGenParameterSpec("secp256r1"), new SecureRandom());
      KeyPair kp = kpg.generateKeyPair();
      X500Name name = new X500Name("CN=localhost, O=auth-gateway local development");
      X509v3CertificateBuilder b = new JcaX509v3CertificateBuilder(
          name, new BigInteger(64, new SecureRandom()),
          Date.from(now.minus(Duration.ofHours(1))), Date.from(now.plus(VALIDITY)), name, kp.getPublic());
      b.addExtension(Extension.subjectAlternativeName, false, new GeneralNames(new GeneralName[] {
          new GeneralName(GeneralName.dNSName, "localhost"),
          new GeneralName(GeneralName.iPAddress, InetAddress.getByName("127.0.0.1").getHostAddress()),
          new GeneralName(GeneralName.iPAddress, "::1")}));
      b.addExtension(Extension.basicConstraints, true, new BasicConstraints(false));
      b.addExtension(Extension.keyUsage, true, new KeyUsage(KeyUsage.digitalSignature | KeyUsage.keyEncipherment));
      b.addExtension(Extension.extendedKeyUsage, false, new ExtendedKeyUsage(KeyPurposeId.id_kp_serverAuth));
      X509Certificate cert = new JcaX509CertificateConverter()
          .getCertificate(b.build(new JcaContentSignerBuilder("SHA256withECDSA").build(kp.getPrivate())));
      // Key first, then certificate, each via a temporary file and an atomic rename, so a crash
      // mid-write never leaves a certificate without its key.
      // PKCS#8 ("BEGIN PRIVATE KEY"): the one key encoding both TLS engines read.
      writeAtomically(keyFile, pem(new org.bouncycastle.openssl.jcajce.JcaPKCS8Generator(kp.getPrivate(), null)), true);
      writeAtomically(certFile, pem(cert), false);
      return cert;
    } catch (GeneralSecurityException | OperatorCreationException e) {
      throw new IOException("cannot generate a self-signed certificate: " + e.getMessage(), e);
    }
  }

  private static String pem(Object o) throws IOException {
    StringWriter sw = new StringWriter();
    try (JcaPEMWriter w = new JcaPEMWriter(sw)) {
      w.writeObject(o);
    }
    return sw.toString();
  }

  private static void writeAtomically(Path target, String content, boolean secret) throws IOException {
    Path tmp = target.resolveSibling(target.getFileName() + ".tmp");
    // A secret's file is created owner-only before anything is written to it (set afterwards, the key would be
    // readable by everyone for a moment); a leftover from a crash is replaced, not reused with its permissions.
    Files.deleteIfExists(tmp);
    if (secret) {
      try {
        Files.createFile(tmp, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
      } catch (UnsupportedOperationException ignored) {
        // not a POSIX file system; the data directory's own permissions must do
      }
    }
    Files.writeString(tmp, content, StandardCharsets.US_ASCII);
    Files.move(tmp, target, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
  }

  static String fingerprint(X509Certificate cert) {
    try {
      byte[] d = MessageDigest.getInstance("SHA-256").digest(cert.getEncoded());
      return HexFormat.ofDelimiter(":").withUpperCase().formatHex(d);
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException(e);
    }
  }
}
