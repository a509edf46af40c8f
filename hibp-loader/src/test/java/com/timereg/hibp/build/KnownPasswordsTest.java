package com.timereg.hibp.build;

import static org.assertj.core.api.Assertions.assertThat;

import com.timereg.hibp.HibpSet;
import com.timereg.hibp.PrevalenceClass;
import com.timereg.hibp.Sha1;
import com.timereg.hibp.TestInputs;
import com.timereg.hibp.generate.KnownPassword;
import com.timereg.hibp.input.HibpInput;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class KnownPasswordsTest {
  private static final String ALPHABET =
      "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789!\"#$%&'()*+,-./:;<=>?@[\\]^_`{|}~";

  @TempDir
  Path dir;

  @Test
  void plantedPasswordsAreFoundWithTheirClassAndStrongOnesAreNot() throws IOException {
    List<KnownPassword> planted = new ArrayList<>();
    for (int i = 0; i < 60; i++) {
      planted.add(new KnownPassword("summer" + i + "!", 1L << (i % 20)));
    }
    planted.add(new KnownPassword("pässwörd", 3));
    planted.add(new KnownPassword("123456", 37_359_195));
    Path input = TestInputs.generate(dir, "in.txt", 100_000, planted, 21);
    Path target = dir.resolve("set.hibp");
    SetBuilder.build(HibpInput.open(input), target, BuildOptions.at(Instant.EPOCH), BuildProgress.NONE);

    try (HibpSet set = HibpSet.open(target)) {
      assertThat(set.entryCount()).isEqualTo(100_000 + planted.size());
      for (KnownPassword p : planted) {
        assertThat(set.prevalence(Sha1.ofPassword(p.password()))).as(p.password())
            .isEqualTo(PrevalenceClass.representative(PrevalenceClass.of(p.count(), 4)));
      }
      SplittableRandom random = new SplittableRandom(77);
      for (int i = 0; i < 10_000; i++) {
        String strong = strongPassword(random);
        assertThat(set.prevalence(Sha1.ofPassword(strong))).as(strong).isZero();
      }
    }
  }

  private static String strongPassword(SplittableRandom random) {
    StringBuilder b = new StringBuilder();
    for (int i = 0; i < 20; i++) {
      b.append(ALPHABET.charAt(random.nextInt(ALPHABET.length())));
    }
    return b.toString();
  }
}
