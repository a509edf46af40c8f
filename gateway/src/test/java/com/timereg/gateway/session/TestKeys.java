package com.timereg.gateway.session;

import java.security.KeyPair;
import java.util.List;
import org.bouncycastle.asn1.pkcs.PrivateKeyInfo;
import org.bouncycastle.asn1.x509.SubjectPublicKeyInfo;

/** Key material for tests, made fresh in memory. */
final class TestKeys {
  private TestKeys() {}

  static String privatePem(KeyPair pair) {
    return PemKeys.privatePem(PrivateKeyInfo.getInstance(pair.getPrivate().getEncoded()));
  }

  static String publicPem(KeyPair pair) {
    return PemKeys.publicPem(SubjectPublicKeyInfo.getInstance(pair.getPublic().getEncoded()));
  }

  static KeySettings.ConfiguredKey signing(String kid, KeyPair pair) {
    return new KeySettings.ConfiguredKey(kid, privatePem(pair));
  }

  static KeySettings.ConfiguredKey verifying(String kid, KeyPair pair) {
    return new KeySettings.ConfiguredKey(kid, publicPem(pair));
  }

  static TokenKeys es256(String kid, KeyPair pair, KeySettings.ConfiguredKey... verificationOnly) {
    return TokenKeys.load(new KeySettings("ES256", signing(kid, pair), List.of(verificationOnly), false));
  }
}
