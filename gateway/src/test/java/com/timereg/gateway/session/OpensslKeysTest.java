package com.timereg.gateway.session;

import com.timereg.gateway.testsupport.ManualClock;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.Vertx;
import io.vertx.junit5.VertxExtension;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** Keys made the way docs/session.md tells operators to make them, with the openssl command line. */
@ExtendWith(VertxExtension.class)
class OpensslKeysTest {
  @TempDir
  Path dir;

  @ParameterizedTest(name = "{0} from openssl {1}")
  @CsvSource(delimiter = '|', value = {
      "ES256 | ecparam -name prime256v1 -genkey -noout -out KEY",
      "ES256 | ecparam -name prime256v1 -genkey -out KEY",
      "ES384 | ecparam -name secp384r1 -genkey -out KEY",
      "ES256 | genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 -out KEY",
      "ES384 | genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-384 -out KEY",
      "RS256 | genpkey -algorithm RSA -pkeyopt rsa_keygen_bits:2048 -out KEY",
      "RS256 | genrsa -traditional -out KEY 2048",
      "EdDSA | genpkey -algorithm ed25519 -out KEY"})
  void keysFromOpensslSignAndTheirPublicHalfMatchesOpenssl(String algorithm, String command, Vertx vertx) throws Exception {
    Path key = dir.resolve("key.pem");
    Path pub = dir.resolve("pub.pem");
    openssl(command.replace("KEY", key.toString()));
    openssl("pkey -in " + key + " -pubout -out " + pub);
    TokenKeys keys = TokenKeys.load(new KeySettings(algorithm,
        new KeySettings.ConfiguredKey("ops-1", Files.readString(key)), List.of(), false));
    TokenKeys verifyOnly = TokenKeys.load(new KeySettings(algorithm, TestKeys.signing("other", otherKey(algorithm)),
        List.of(new KeySettings.ConfiguredKey("ops-1", Files.readString(pub))), false));

    assertThat(keys.verificationOptions().get(0).getBuffer().toString()).isEqualTo(normalized(Files.readString(pub)));
    SessionIdentity id = new SessionIdentity(1, "acme", "ops", AuthMethod.SSO, UUID.randomUUID().toString());
    AccessTokens signer = new AccessTokens(vertx, keys, SessionSettings.DEFAULTS, new RevocationList(), SessionMetrics.NOOP, ManualClock.startingNow());
    AccessTokens verifier = new AccessTokens(vertx, verifyOnly, SessionSettings.DEFAULTS, new RevocationList(), SessionMetrics.NOOP,
        ManualClock.startingNow());
    assertThat(verifier.verify(signer.sign(id).token()).result()).isEqualTo(id);
  }

  @Test
  void anEncryptedKeyIsRefusedNamingACommandThatDecryptsIt() throws Exception {
    Path key = dir.resolve("key.pem");
    Path encrypted = dir.resolve("encrypted.pem");
    Path plain = dir.resolve("plain.pem");
    openssl("genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 -out " + key);
    openssl("pkcs8 -topk8 -in " + key + " -out " + encrypted + " -passout pass:secret-phrase");

    String message = org.assertj.core.api.Assertions.catchThrowable(() -> TokenKeys.load(new KeySettings("ES256",
        new KeySettings.ConfiguredKey("ops-1", Files.readString(encrypted)), List.of(), false))).getMessage();
    assertThat(message).contains("signing key 'ops-1'").contains("encrypted").doesNotContain("ENCRYPTED PRIVATE KEY");
    // The command the message names decrypts it (openssl pkcs8 -nocrypt, named before, fails on an encrypted key).
    java.util.regex.Matcher advice = java.util.regex.Pattern.compile("decrypt with openssl ([^);]*)").matcher(message);
    assertThat(advice.find()).as(message).isTrue();
    String command = advice.group(1).contains("KEY") ? advice.group(1).replace("KEY", encrypted.toString())
        .replace("PLAIN", plain.toString()) : advice.group(1) + " -in " + encrypted + " -out " + plain;
    openssl(command + " -passin pass:secret-phrase");
    assertThat(TokenKeys.load(new KeySettings("ES256", new KeySettings.ConfiguredKey("ops-1", Files.readString(plain)),
        List.of(), false)).activeKeyId()).isEqualTo("ops-1");
  }

  private static java.security.KeyPair otherKey(String algorithm) {
    return TokenKeys.generate(algorithm);
  }

  /** openssl wraps at 64 columns as we do; only the line ends could differ. */
  private static String normalized(String pem) {
    return pem.replace("\r\n", "\n");
  }

  private void openssl(String args) throws IOException, InterruptedException {
    List<String> command = new java.util.ArrayList<>(List.of("openssl"));
    command.addAll(List.of(args.trim().split("\\s+")));
    Process p;
    try {
      p = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(dir.resolve("openssl.log").toFile()).start();
    } catch (IOException e) {
      Assumptions.abort("openssl is not installed");
      return;
    }
    assertThat(p.waitFor(60, TimeUnit.SECONDS)).as("openssl finished").isTrue();
    assertThat(p.exitValue()).as("openssl " + args + ": " + Files.readString(dir.resolve("openssl.log"))).isZero();
  }
}
