package com.timereg.gateway.session;

import java.io.IOException;
import java.io.StringReader;
import java.math.BigInteger;
import java.util.Base64;
import org.bouncycastle.asn1.ASN1ObjectIdentifier;
import org.bouncycastle.asn1.edec.EdECObjectIdentifiers;
import org.bouncycastle.asn1.pkcs.PKCSObjectIdentifiers;
import org.bouncycastle.asn1.pkcs.PrivateKeyInfo;
import org.bouncycastle.asn1.sec.SECObjectIdentifiers;
import org.bouncycastle.asn1.x509.SubjectPublicKeyInfo;
import org.bouncycastle.asn1.x9.X9ECParameters;
import org.bouncycastle.asn1.x9.X9ObjectIdentifiers;
import org.bouncycastle.cert.X509CertificateHolder;
import org.bouncycastle.crypto.params.AsymmetricKeyParameter;
import org.bouncycastle.crypto.params.ECDomainParameters;
import org.bouncycastle.crypto.params.ECPrivateKeyParameters;
import org.bouncycastle.crypto.params.ECPublicKeyParameters;
import org.bouncycastle.crypto.params.Ed25519PrivateKeyParameters;
import org.bouncycastle.crypto.params.RSAKeyParameters;
import org.bouncycastle.crypto.params.RSAPrivateCrtKeyParameters;
import org.bouncycastle.crypto.util.PrivateKeyFactory;
import org.bouncycastle.crypto.util.SubjectPublicKeyInfoFactory;
import org.bouncycastle.math.ec.FixedPointCombMultiplier;
import org.bouncycastle.openssl.PEMKeyPair;
import org.bouncycastle.openssl.PEMParser;

/**
 * Reads PEM keys in the forms operators have (PKCS#8, SEC1, PKCS#1, SPKI, certificates),
 * derives a private key's public half, and writes the two plain forms Vert.x Auth reads
 * ({@code PRIVATE KEY}, {@code PUBLIC KEY}). Deriving rather than asking for both halves means a
 * mismatched pair cannot be configured.
 */
final class PemKeys {
  private PemKeys() {}

  /** A key pair: {@code privateKey} is null for a public key or certificate. */
  record Parsed(PrivateKeyInfo privateKey, SubjectPublicKeyInfo publicKey) {}

  /** Parses one PEM object; messages never repeat the key text. */
  static Parsed parse(String pem) {
    Object o;
    try (PEMParser parser = new PEMParser(new StringReader(pem))) {
      o = parser.readObject();
      while (o instanceof ASN1ObjectIdentifier || o instanceof X9ECParameters) {
        // An EC PARAMETERS block, which openssl ecparam -genkey writes before the EC PRIVATE KEY: the key
        // carries its curve itself.
        o = parser.readObject();
      }
    } catch (IOException | RuntimeException e) {
      throw new IllegalArgumentException("not a readable PEM key (" + e.getClass().getSimpleName() + ")");
    }
    try {
      if (o instanceof PEMKeyPair pair) {
        return new Parsed(pair.getPrivateKeyInfo(), derivePublic(pair.getPrivateKeyInfo()));
      }
      if (o instanceof PrivateKeyInfo info) {
        return new Parsed(info, derivePublic(info));
      }
      if (o instanceof SubjectPublicKeyInfo spki) {
        return new Parsed(null, spki);
      }
      if (o instanceof X509CertificateHolder cert) {
        return new Parsed(null, cert.getSubjectPublicKeyInfo());
      }
    } catch (IOException | RuntimeException e) {
      throw new IllegalArgumentException("unusable key (" + e.getClass().getSimpleName() + ")");
    }
    if (o == null) {
      throw new IllegalArgumentException("no PEM object found (expected -----BEGIN ... KEY-----)");
    }
    throw new IllegalArgumentException("unsupported PEM object " + o.getClass().getSimpleName()
        + " (encrypted keys are not supported: decrypt with openssl pkey -in KEY -out PLAIN)");
  }

  private static SubjectPublicKeyInfo derivePublic(PrivateKeyInfo info) throws IOException {
    AsymmetricKeyParameter priv = PrivateKeyFactory.createKey(info);
    AsymmetricKeyParameter pub;
    if (priv instanceof ECPrivateKeyParameters ec) {
      ECDomainParameters domain = ec.getParameters();
      pub = new ECPublicKeyParameters(new FixedPointCombMultiplier().multiply(domain.getG(), ec.getD()).normalize(), domain);
    } else if (priv instanceof RSAPrivateCrtKeyParameters rsa) {
      pub = new RSAKeyParameters(false, rsa.getModulus(), rsa.getPublicExponent());
    } else if (priv instanceof Ed25519PrivateKeyParameters ed) {
      pub = ed.generatePublicKey();
    } else {
      throw new IllegalArgumentException("unsupported private key type " + priv.getClass().getSimpleName());
    }
    return SubjectPublicKeyInfoFactory.createSubjectPublicKeyInfo(pub);
  }

  /** Null when {@code key} suits {@code algorithm}, else what is wrong with it. */
  static String mismatch(String algorithm, SubjectPublicKeyInfo key) {
    ASN1ObjectIdentifier type = key.getAlgorithm().getAlgorithm();
    switch (algorithm) {
      case "ES256":
        return curve(key, SECObjectIdentifiers.secp256r1, "P-256");
      case "ES384":
        return curve(key, SECObjectIdentifiers.secp384r1, "P-384");
      case "RS256":
        if (!PKCSObjectIdentifiers.rsaEncryption.equals(type)) {
          return "RS256 needs an RSA key";
        }
        try {
          BigInteger modulus = org.bouncycastle.asn1.pkcs.RSAPublicKey.getInstance(key.parsePublicKey()).getModulus();
          // NIST SP 800-131A: RSA below 2048 bits is no longer acceptable for signatures.
          return modulus.bitLength() < 2048 ? "RSA key has " + modulus.bitLength() + " bits, at least 2048 are needed" : null;
        } catch (IOException e) {
          return "unreadable RSA key";
        }
      case "EdDSA":
        return EdECObjectIdentifiers.id_Ed25519.equals(type) ? null : "EdDSA needs an Ed25519 key";
      default:
        return "algorithm " + algorithm + " takes no PEM key";
    }
  }

  private static String curve(SubjectPublicKeyInfo key, ASN1ObjectIdentifier expected, String name) {
    if (!X9ObjectIdentifiers.id_ecPublicKey.equals(key.getAlgorithm().getAlgorithm())
        || !expected.equals(key.getAlgorithm().getParameters())) {
      return "needs an EC key on curve " + name + " (named curve)";
    }
    return null;
  }

  static String privatePem(PrivateKeyInfo info) {
    return pem("PRIVATE KEY", encoded(info));
  }

  static String publicPem(SubjectPublicKeyInfo info) {
    return pem("PUBLIC KEY", encoded(info));
  }

  private static byte[] encoded(org.bouncycastle.asn1.ASN1Object o) {
    try {
      return o.getEncoded("DER");
    } catch (IOException e) {
      throw new IllegalStateException("cannot encode key", e);
    }
  }

  /** Vert.x Auth's PEM reader wants the BEGIN and END lines on lines of their own. */
  static String pem(String type, byte[] der) {
    String body = Base64.getMimeEncoder(64, new byte[] {'\n'}).encodeToString(der);
    return "-----BEGIN " + type + "-----\n" + body + "\n-----END " + type + "-----\n";
  }
}
