package com.timereg.gateway.password;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HexFormat;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Which backend is chosen, and the pure-Java SHA-256; the vectors are in Pbkdf2Sha256Contract. */
class Pbkdf2Sha256Test {

  @Test
  void usesTheJdkCompressionWhenTheJvmFlagsOpenItsProvider() {
    // The build runs tests with the root pom's gateway.jvm.flags, the same as bin/gateway.
    assertThat(Pbkdf2Sha256.backend()).isEqualTo(Pbkdf2Sha256.Backend.JDK_SHA256_INTRINSIC);
    assertThat(HexFormat.of().formatHex(Pbkdf2Sha256.derive(
        "password".getBytes(StandardCharsets.US_ASCII), "salt".getBytes(StandardCharsets.US_ASCII),
        4096, 32))).isEqualTo("c5e478d59288c841aa530db6845c4c8d962893a001ce4e11a4963873aa98134a");
  }

  /** A JVM started without the flag, as a hand-rolled launch would be, still derives right keys. */
  @Test
  void fallsBackToPureJavaAndSaysWhyWhenTheProviderIsNotOpened(@TempDir Path dir)
      throws Exception {
    Path out = dir.resolve("out");
    Path err = dir.resolve("err");
    Process probe = new ProcessBuilder(
        Path.of(System.getProperty("java.home"), "bin", "java").toString(),
        "-cp", System.getProperty("java.class.path"), Pbkdf2BackendProbe.class.getName())
        .redirectOutput(out.toFile())
        .redirectError(err.toFile())
        .start();
    boolean exited = probe.waitFor(60, TimeUnit.SECONDS);
    if (!exited) {
      probe.destroyForcibly();
    }

    assertThat(exited).as("probe JVM exited").isTrue();
    assertThat(probe.exitValue()).as(read(err)).isZero();
    assertThat(read(out).lines()).containsExactly("PURE_JAVA",
        "c5e478d59288c841aa530db6845c4c8d962893a001ce4e11a4963873aa98134a");
    assertThat(read(err)).contains("WARN", "PURE_JAVA", JdkSha256HmacChain.OPENS_FLAG);
  }

  @Test
  void sha256DigestsMatchFips180Examples() {
    assertThat(HexFormat.of().formatHex(Sha256.digest("abc".getBytes(StandardCharsets.US_ASCII))))
        .isEqualTo("ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
    assertThat(HexFormat.of().formatHex(Sha256.digest(
        "abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq"
            .getBytes(StandardCharsets.US_ASCII))))
        .isEqualTo("248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1");
    assertThat(HexFormat.of().formatHex(Sha256.digest(new byte[0])))
        .isEqualTo("e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
  }

  private static String read(Path file) throws IOException {
    return Files.readString(file, StandardCharsets.UTF_8);
  }
}
