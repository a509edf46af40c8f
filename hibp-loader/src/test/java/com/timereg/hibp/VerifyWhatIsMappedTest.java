package com.timereg.hibp;

import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Instant;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@link HibpSet#verify} checks the bytes the set has mapped, the ones its lookups answer from, not whatever
 * file its path names by then: the gateway opens a set and verifies it before serving it, and the loader renames
 * a new file over the path at any moment.
 */
class VerifyWhatIsMappedTest {
  @TempDir
  Path dir;

  @Test
  void aDamagedSetIsRefusedEvenWhenAnIntactOneWasRenamedOverItsPathAfterTheOpen() throws IOException {
    Path path = dir.resolve("set.hibp");
    build(path, 1);
    damageRecords(path);
    // The same set, undamaged: its header is the one open checked, so only the bytes tell them apart.
    Path intact = build(dir.resolve("intact.hibp"), 1);
    try (HibpSet set = HibpSet.open(path)) {
      Files.move(intact, path, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
      assertThatThrownBy(set::verify).as("the mapped bytes are damaged").isInstanceOf(CorruptSetException.class);
    }
  }

  @Test
  void anIntactSetVerifiesEvenWhenADamagedOneWasRenamedOverItsPathAfterTheOpen() throws IOException {
    Path path = build(dir.resolve("set.hibp"), 1);
    Path damaged = build(dir.resolve("damaged.hibp"), 2);
    damageRecords(damaged);
    try (HibpSet set = HibpSet.open(path)) {
      Files.move(damaged, path, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
      assertThatCode(set::verify).doesNotThrowAnyException();
    }
  }

  @Test
  void anIntactSetVerifiesAfterItsPathWasRemoved() throws IOException {
    Path path = build(dir.resolve("set.hibp"), 1);
    try (HibpSet set = HibpSet.open(path)) {
      Files.delete(path);
      assertThatCode(set::verify).doesNotThrowAnyException();
    }
  }

  @Test
  void aClosedSetCannotBeVerified() throws IOException {
    Path path = build(dir.resolve("set.hibp"), 1);
    HibpSet set = HibpSet.open(path);
    set.close();
    assertThatThrownBy(set::verify).isInstanceOf(IOException.class);
  }

  private static Path build(Path file, long seed) throws IOException {
    long[][] hashes = HibpSetRoundTripTest.sortedRandomHashes(5_000, seed);
    try (HibpSetWriter w = HibpSetWriter.create(file, HibpSetParameters.forMaxEntries(5_000, 1e-10),
        Instant.EPOCH)) {
      for (long[] h : hashes) {
        w.add(h[0], h[1], h[2]);
      }
      w.finish();
    }
    return file;
  }

  /** Flips a bit in the records section: the header (all that open checks) stays valid. */
  private static void damageRecords(Path file) throws IOException {
    long at;
    try (HibpSet set = HibpSet.open(file)) {
      at = set.header().recordsOffset() + 100;
    }
    byte[] bytes = Files.readAllBytes(file);
    bytes[(int) at] ^= 0x10;
    Files.write(file, bytes);
  }
}
