package com.timereg.gateway.password;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.util.HexFormat;
import java.util.SplittableRandom;
import javax.crypto.SecretKeyFactory;
import javax.crypto.spec.PBEKeySpec;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * What every {@link Pbkdf2Sha256.Backend} must give: the same bytes as the RFC vectors, the JDK's
 * own PBKDF2 and Python's hashlib (the Django fixtures). One subclass per backend runs it all.
 * The large counts (80,000 and 600,000) matter: only after that many iterations has C2 compiled
 * the loop, which is where the JDK backend's compression becomes the SHA-NI/AVX2 intrinsic.
 */
abstract class Pbkdf2Sha256Contract {

  abstract Pbkdf2Sha256.Backend backend();

  private byte[] derive(byte[] password, byte[] salt, int iterations, int keyLength) {
    return Pbkdf2Sha256.on(backend()).deriveKey(password, salt, iterations, keyLength);
  }

  /** RFC 7914 section 11 and the widely published "password"/"salt" PBKDF2-HMAC-SHA256 vectors. */
  @ParameterizedTest(name = "{0}/{1} c={2} dkLen={3}")
  @CsvSource(delimiter = '|', textBlock = """
      passwd                   | salt  | 1     | 64 | 55ac046e56e3089fec1691c22544b605f94185216dde0465e68b9d57c20dacbc49ca9cccf179b645991664b39d77ef317c71b845b1e30bd509112041d3a19783
      Password                 | NaCl  | 80000 | 64 | 4ddcd8f60b98be21830cee5ef22701f9641a4418d04c0414aeff08876b34ab56a1d425a1225833549adb841b51c9b3176a272bdebba1d078478f62b397f33c8d
      password                 | salt  | 1     | 32 | 120fb6cffcf8b32c43e7225256c4f837a86548c92ccc35480805987cb70be17b
      password                 | salt  | 2     | 32 | ae4d0c95af6b46d32d0adff928f06dd02a303f8ef3c251dfd6e2d85a95474c43
      password                 | salt  | 4096  | 32 | c5e478d59288c841aa530db6845c4c8d962893a001ce4e11a4963873aa98134a
      passwordPASSWORDpassword | saltSALTsaltSALTsaltSALTsaltSALTsalt | 4096 | 40 | 348c89dbcbd32b2f32d814b8116e84cf2b17347ebc1800181c4e2a1fb8dd53e1c635518c7dac47e9
      """)
  void derivesPublishedTestVectors(String password, String salt, int iterations, int keyLength,
      String expectedHex) {
    byte[] key = derive(password.getBytes(StandardCharsets.US_ASCII),
        salt.getBytes(StandardCharsets.US_ASCII), iterations, keyLength);

    assertThat(HexFormat.of().formatHex(key)).isEqualTo(expectedHex);
  }

  @Test
  void derivesVectorWithNulBytesInPasswordAndSalt() {
    byte[] key = derive("pass\0word".getBytes(StandardCharsets.US_ASCII),
        "sa\0lt".getBytes(StandardCharsets.US_ASCII), 4096, 16);

    assertThat(HexFormat.of().formatHex(key)).isEqualTo("89b69d0516f829893c696226650a8687");
  }

  /**
   * Against the JDK's independent implementation, over the edges of our code: passwords longer
   * than an HMAC block (hashed first), salts that push U_1 into a second block, keys that are
   * not a multiple of 32 bytes.
   */
  @Test
  void matchesJdkPbkdf2AcrossBlockBoundaries() throws Exception {
    SecretKeyFactory jdk = SecretKeyFactory.getInstance("PBKDF2WithHmacSHA256");
    SplittableRandom random = new SplittableRandom(7);
    int[] passwordLengths = {1, 55, 63, 64, 65, 200};
    int[] saltLengths = {1, 51, 52, 55, 56, 60, 64, 120};
    int[] keyLengths = {1, 31, 32, 33, 64, 100};
    for (int passwordLength : passwordLengths) {
      for (int saltLength : saltLengths) {
        int keyLength = keyLengths[random.nextInt(keyLengths.length)];
        int iterations = 1 + random.nextInt(50);
        char[] password = asciiChars(random, passwordLength);
        byte[] salt = new byte[saltLength];
        random.nextBytes(salt);

        byte[] expected = jdk.generateSecret(
            new PBEKeySpec(password, salt, iterations, keyLength * 8)).getEncoded();
        byte[] actual = derive(new String(password).getBytes(StandardCharsets.UTF_8),
            salt, iterations, keyLength);

        assertThat(actual).as("password %d, salt %d, key %d, c=%d", passwordLength, saltLength,
            keyLength, iterations).isEqualTo(expected);
      }
    }
  }

  /** Keys made by Python's hashlib in Django's format, up to Django 5's 600,000 iterations. */
  @ParameterizedTest(name = "{0}")
  @MethodSource("com.timereg.gateway.password.DjangoPbkdf2HasherTest#djangoFixtures")
  void derivesTheKeysOfHashesMadeByPython(DjangoPbkdf2HasherTest.Fixture fixture)
      throws Exception {
    StoredHash stored = StoredHash.parse(fixture.encoded());

    byte[] key = derive(fixture.password().getBytes(StandardCharsets.UTF_8), stored.saltBytes(),
        stored.iterations(), StoredHash.KEY_BYTES);

    assertThat(key).isEqualTo(stored.key());
  }

  /** The backends hold per-derivation state; concurrent logins must not see each other's. */
  @Test
  void givesEachThreadItsOwnKeyWhenDerivingConcurrently() throws Exception {
    byte[] salt = "Xq3vT8kLm2NpR7sW9yZb4c".getBytes(StandardCharsets.US_ASCII);
    int threads = 4;
    byte[][] expected = new byte[threads][];
    for (int i = 0; i < threads; i++) {
      expected[i] = derive(("password" + i).getBytes(StandardCharsets.US_ASCII), salt, 20_000, 32);
    }
    byte[][] actual = new byte[threads][];
    Thread[] workers = new Thread[threads];
    for (int i = 0; i < threads; i++) {
      int n = i;
      workers[i] = new Thread(() -> actual[n] =
          derive(("password" + n).getBytes(StandardCharsets.US_ASCII), salt, 20_000, 32));
      workers[i].start();
    }
    for (Thread worker : workers) {
      worker.join();
    }

    assertThat(actual).isDeepEqualTo(expected);
  }

  @Test
  void refusesNonsensicalParameters() {
    byte[] p = {1};
    assertThatThrownBy(() -> derive(p, p, 0, 32)).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> derive(p, p, 1, 0)).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> derive(p, p, 1, Pbkdf2Sha256.MAX_KEY_BYTES + 1))
        .isInstanceOf(IllegalArgumentException.class);
  }

  private static char[] asciiChars(SplittableRandom random, int length) {
    char[] chars = new char[length];
    for (int i = 0; i < length; i++) {
      chars[i] = (char) (0x21 + random.nextInt(0x7e - 0x21));
    }
    return chars;
  }
}
