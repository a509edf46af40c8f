package com.timereg.gateway.session;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.StringWriter;
import java.math.BigInteger;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.spec.ECGenParameterSpec;
import java.time.Instant;
import java.util.Date;
import java.util.List;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.cert.X509CertificateHolder;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.openssl.jcajce.JcaPEMWriter;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;
import org.junit.jupiter.api.Test;

class TokenKeysTest {
  private final KeyPair ec = TokenKeys.generate("ES256");

  @Test
  void productionWithoutASigningKeyRefusesToStart() {
    assertThatThrownBy(() -> TokenKeys.load(new KeySettings("ES256", null, List.of(), false)))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("no session signing key");
  }

  @Test
  void devModeWithoutAKeyGeneratesAnEphemeralOne() {
    TokenKeys keys = TokenKeys.load(KeySettings.devDefaults());

    assertThat(keys.ephemeral()).isTrue();
    assertThat(keys.algorithm()).isEqualTo("ES256");
    assertThat(keys.activeKeyId()).startsWith("ephemeral-");
    assertThat(keys.keyIds()).containsExactly(keys.activeKeyId());
  }

  @Test
  void configuredKeyIsUsedEvenInDevMode() {
    TokenKeys keys = TokenKeys.load(new KeySettings("ES256", TestKeys.signing("2026-11", ec), List.of(), true));

    assertThat(keys.ephemeral()).isFalse();
    assertThat(keys.activeKeyId()).isEqualTo("2026-11");
  }

  @Test
  void onlyTheSupportedAlgorithmsAreAccepted() {
    for (String alg : List.of("none", "HS512", "PS256", "es256")) {
      assertThatThrownBy(() -> TokenKeys.load(new KeySettings(alg, TestKeys.signing("k", ec), List.of(), false)))
          .as(alg).hasMessageContaining("must be one of");
    }
  }

  @Test
  void hs256NeedsASecretOfAtLeast32Bytes() {
    KeySettings.ConfiguredKey shortSecret = new KeySettings.ConfiguredKey("k", "x".repeat(31));
    KeySettings.ConfiguredKey longEnough = new KeySettings.ConfiguredKey("k", "x".repeat(32));

    assertThatThrownBy(() -> TokenKeys.load(new KeySettings("HS256", shortSecret, List.of(), false)))
        .hasMessageContaining("at least 32 bytes");
    assertThat(TokenKeys.load(new KeySettings("HS256", longEnough, List.of(), false)).activeKeyId()).isEqualTo("k");
  }

  @Test
  void aPemKeyIsNeverTakenAsAnHs256Secret() throws Exception {
    // session.algorithm switched to HS256 with the old public key still listed: its PEM text would become an
    // HMAC secret that anyone holding the public key has, and they could sign tokens of that kid.
    KeySettings.ConfiguredKey secret = new KeySettings.ConfiguredKey("new", "s".repeat(32));
    KeySettings settings = new KeySettings("HS256", secret, List.of(TestKeys.verifying("old", ec),
        new KeySettings.ConfiguredKey("cert", certificatePem(ec))), false);

    assertThatThrownBy(() -> TokenKeys.load(settings))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("verification key 'old'")
        .hasMessageContaining("verification key 'cert'")
        .hasMessageContaining("not a PEM key")
        .hasMessageNotContaining("BEGIN");
    assertThatThrownBy(() -> TokenKeys.load(new KeySettings("HS256", TestKeys.signing("k", ec), List.of(), false)))
        .hasMessageContaining("signing key 'k'")
        .hasMessageContaining("not a PEM key");
  }

  @Test
  void keysThatDoNotFitTheAlgorithmAreRefused() throws Exception {
    KeyPairGenerator rsa = KeyPairGenerator.getInstance("RSA");
    rsa.initialize(1024);
    KeyPairGenerator p384 = KeyPairGenerator.getInstance("EC");
    p384.initialize(new ECGenParameterSpec("secp384r1"));

    assertThatThrownBy(() -> TokenKeys.load(new KeySettings("RS256", TestKeys.signing("k", rsa.generateKeyPair()), List.of(), false)))
        .hasMessageContaining("1024 bits");
    assertThatThrownBy(() -> TokenKeys.load(new KeySettings("ES256", TestKeys.signing("k", p384.generateKeyPair()), List.of(), false)))
        .hasMessageContaining("P-256");
    assertThatThrownBy(() -> TokenKeys.load(new KeySettings("EdDSA", TestKeys.signing("k", ec), List.of(), false)))
        .hasMessageContaining("Ed25519");
  }

  @Test
  void signingKeyMustBePrivate() {
    assertThatThrownBy(() -> TokenKeys.load(new KeySettings("ES256", TestKeys.verifying("k", ec), List.of(), false)))
        .hasMessageContaining("must be a private key");
  }

  @Test
  void everyProblemIsReportedAtOnceWithoutTheKeyText() {
    KeySettings settings = new KeySettings("ES256", TestKeys.signing("bad kid!", ec), List.of(
        new KeySettings.ConfiguredKey("old", "-----BEGIN PUBLIC KEY-----\nnot base64\n-----END PUBLIC KEY-----\n"),
        TestKeys.verifying("dup", ec), TestKeys.verifying("dup", ec)), false);

    assertThatThrownBy(() -> TokenKeys.load(settings))
        .hasMessageContaining("bad kid!")
        .hasMessageContaining("'old'")
        .hasMessageContaining("'dup' is configured twice")
        .hasMessageNotContaining("not base64");
  }

  @Test
  void opensslTraditionalPemFormsAreRead() throws Exception {
    KeyPairGenerator rsa = KeyPairGenerator.getInstance("RSA");
    rsa.initialize(2048);
    String sec1 = sec1Pem(ec);
    String pkcs1 = traditionalPem(rsa.generateKeyPair());
    assertThat(sec1).startsWith("-----BEGIN EC PRIVATE KEY-----");
    assertThat(pkcs1).startsWith("-----BEGIN RSA PRIVATE KEY-----");

    TokenKeys fromSec1 = TokenKeys.load(new KeySettings("ES256", new KeySettings.ConfiguredKey("a", sec1), List.of(), false));
    assertThat(fromSec1.verificationOptions().get(0).getBuffer().toString())
        .as("public half derived from the private key").isEqualTo(TestKeys.publicPem(ec));
    assertThat(TokenKeys.load(new KeySettings("RS256", new KeySettings.ConfiguredKey("b", pkcs1), List.of(), false)).activeKeyId())
        .isEqualTo("b");
  }

  @Test
  void verificationKeysMayBeCertificatesOrPrivateKeysButOnlyTheirPublicHalfIsKept() throws Exception {
    KeyPair old = TokenKeys.generate("ES256");
    KeyPair older = TokenKeys.generate("ES256");
    TokenKeys keys = TokenKeys.load(new KeySettings("ES256", TestKeys.signing("new", ec), List.of(
        new KeySettings.ConfiguredKey("old", certificatePem(old)),
        new KeySettings.ConfiguredKey("older", TestKeys.privatePem(older))), false));

    assertThat(keys.keyIds()).containsExactly("new", "old", "older");
    assertThat(keys.verificationOptions()).allSatisfy(o ->
        assertThat(o.getBuffer().toString()).startsWith("-----BEGIN PUBLIC KEY-----"));
    assertThat(keys.verificationOptions().get(2).getBuffer().toString()).isEqualTo(TestKeys.publicPem(older));
  }

  @Test
  void settingsAndKeysNeverPrintTheirMaterial() {
    KeySettings settings = new KeySettings("ES256", TestKeys.signing("k", ec), List.of(TestKeys.verifying("v", ec)), false);

    assertThat(settings.toString()).doesNotContain("PRIVATE").doesNotContain("PUBLIC").contains("k").contains("v");
    assertThat(TokenKeys.load(settings).toString()).doesNotContain("BEGIN");
  }

  private static String traditionalPem(KeyPair pair) throws Exception {
    StringWriter out = new StringWriter();
    try (JcaPEMWriter w = new JcaPEMWriter(out)) {
      w.writeObject(pair.getPrivate());
    }
    return out.toString();
  }

  /** As {@code openssl ecparam -name prime256v1 -genkey -noout} writes it: SEC1 with the curve named. */
  private static String sec1Pem(KeyPair pair) throws Exception {
    java.math.BigInteger d = ((java.security.interfaces.ECPrivateKey) pair.getPrivate()).getS();
    return PemKeys.pem("EC PRIVATE KEY",
        new org.bouncycastle.asn1.sec.ECPrivateKey(256, d, org.bouncycastle.asn1.sec.SECObjectIdentifiers.secp256r1).getEncoded());
  }

  private static String certificatePem(KeyPair pair) throws Exception {
    X500Name name = new X500Name("CN=session-key");
    X509CertificateHolder cert = new JcaX509v3CertificateBuilder(name, BigInteger.ONE, Date.from(Instant.now()),
        Date.from(Instant.now().plusSeconds(3600)), name, pair.getPublic())
        .build(new JcaContentSignerBuilder("SHA256withECDSA").build(pair.getPrivate()));
    return PemKeys.pem("CERTIFICATE", cert.getEncoded());
  }
}
