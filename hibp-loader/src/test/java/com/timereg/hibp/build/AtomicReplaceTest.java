package com.timereg.hibp.build;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.timereg.hibp.HibpSet;
import com.timereg.hibp.TestInputs;
import com.timereg.hibp.input.HibpInput;
import com.timereg.hibp.input.InputFormatException;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.GroupPrincipal;
import java.nio.file.attribute.PosixFileAttributeView;
import java.nio.file.attribute.PosixFileAttributes;
import java.nio.file.attribute.PosixFilePermissions;
import java.nio.file.attribute.UserPrincipal;
import java.nio.file.attribute.UserPrincipalLookupService;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The target is the old complete set until the new one is complete, never anything in between. */
class AtomicReplaceTest {
  @TempDir
  Path dir;

  @Test
  void targetHoldsTheOldSetWhileTheNewOneIsWritten() throws IOException {
    Path target = dir.resolve("pwned.hibp");
    SetBuilder.build(HibpInput.open(TestInputs.generate(dir, "old.txt", 1_000, List.of(), 1)), target,
        BuildOptions.at(Instant.EPOCH), BuildProgress.NONE);
    byte[] old = Files.readAllBytes(target);
    // Large enough for several 4 MiB reads, hence several progress calls during the build.
    HibpInput input = HibpInput.open(TestInputs.generate(dir, "new.txt", 400_000, List.of(), 2));
    List<Integer> observed = new ArrayList<>();
    SetBuilder.build(input, target, BuildOptions.at(Instant.EPOCH.plusSeconds(1)), (read, total, entries) -> {
      try {
        assertThat(Files.readAllBytes(target)).isEqualTo(old);
        observed.add(temporaryFiles().size());
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    });
    assertThat(observed).isNotEmpty().allMatch(n -> n >= 1);
    try (HibpSet set = HibpSet.open(target)) {
      assertThat(set.entryCount()).isEqualTo(400_000);
      assertThat(set.buildTime()).isEqualTo(Instant.EPOCH.plusSeconds(1));
      set.verify();
    }
    assertThat(temporaryFiles()).isEmpty();
  }

  @Test
  void failedBuildLeavesTheOldSetAndNoTemporaryFiles() throws IOException {
    Path target = dir.resolve("pwned.hibp");
    SetBuilder.build(HibpInput.open(TestInputs.generate(dir, "old.txt", 1_000, List.of(), 1)), target,
        BuildOptions.at(Instant.EPOCH), BuildProgress.NONE);
    byte[] old = Files.readAllBytes(target);
    Path bad = TestInputs.generate(dir, "bad.txt", 300_000, List.of(), 3);
    List<String> lines = new ArrayList<>(Files.readAllLines(bad));
    lines.set(250_000, lines.get(250_000).substring(0, 30));
    Files.write(bad, lines);

    assertThatThrownBy(() -> SetBuilder.build(HibpInput.open(bad), target, BuildOptions.at(Instant.EPOCH),
        BuildProgress.NONE)).isInstanceOf(InputFormatException.class).hasMessageContaining(":250001:");
    assertThat(Files.readAllBytes(target)).isEqualTo(old);
    assertThat(temporaryFiles()).isEmpty();
  }

  @Test
  void newSetIsReadableByOthersAndAReplacedSetKeepsItsPermissions() throws IOException {
    Path input = TestInputs.generate(dir, "in.txt", 100, List.of(), 1);
    Path target = dir.resolve("pwned.hibp");
    SetBuilder.build(HibpInput.open(input), target, BuildOptions.at(Instant.EPOCH), BuildProgress.NONE);
    assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(target))).isEqualTo("rw-r--r--");
    Files.setPosixFilePermissions(target, PosixFilePermissions.fromString("rw-r-----"));
    SetBuilder.build(HibpInput.open(input), target, BuildOptions.at(Instant.EPOCH), BuildProgress.NONE);
    assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(target))).isEqualTo("rw-r-----");
  }

  /**
   * A set readable by the gateway through its group or as its owner ({@code root:gateway rw-r-----}, or
   * {@code gateway:gateway rw-------}) rebuilt in place by root: the mode was copied but the file was root's, so
   * the gateway could no longer read it (the running one kept the old set, a restarted one had none). The
   * replaced set's owner and group are kept too, where the builder may give them.
   */
  @Test
  void aReplacedSetKeepsItsOwnerAndGroupSoItsReadersCanStillReadIt() throws IOException {
    Path input = TestInputs.generate(dir, "in.txt", 100, List.of(), 1);
    Path target = dir.resolve("pwned.hibp");
    SetBuilder.build(HibpInput.open(input), target, BuildOptions.at(Instant.EPOCH), BuildProgress.NONE);
    UserPrincipalLookupService users = target.getFileSystem().getUserPrincipalLookupService();
    UserPrincipal nobody;
    GroupPrincipal nogroup;
    try {
      nobody = users.lookupPrincipalByName("nobody");
      nogroup = users.lookupPrincipalByGroupName("nogroup");
      Files.setOwner(target, nobody);
      Files.getFileAttributeView(target, PosixFileAttributeView.class).setGroup(nogroup);
    } catch (IOException e) {
      Assumptions.abort("cannot give a file to nobody:nogroup here (not root?): " + e);
      return;
    }
    Files.setPosixFilePermissions(target, PosixFilePermissions.fromString("rw-r-----"));

    SetBuilder.build(HibpInput.open(input), target, BuildOptions.at(Instant.EPOCH.plusSeconds(1)),
        BuildProgress.NONE);

    PosixFileAttributes rebuilt = Files.readAttributes(target, PosixFileAttributes.class);
    assertThat(rebuilt.group()).isEqualTo(nogroup);
    assertThat(rebuilt.owner()).isEqualTo(nobody);
    assertThat(PosixFilePermissions.toString(rebuilt.permissions())).isEqualTo("rw-r-----");
    try (HibpSet set = HibpSet.open(target)) {
      assertThat(set.buildTime()).isEqualTo(Instant.EPOCH.plusSeconds(1));
    }
  }

  @Test
  void refusesAnEmptyInputAndLeavesNoTarget() throws IOException {
    Path empty = Files.createFile(dir.resolve("empty.txt"));
    Path target = dir.resolve("pwned.hibp");
    assertThatThrownBy(() -> SetBuilder.build(HibpInput.open(empty), target, BuildOptions.at(Instant.EPOCH),
        BuildProgress.NONE)).hasMessageContaining("no entries");
    assertThat(target).doesNotExist();
    assertThat(temporaryFiles()).isEmpty();
  }

  @Test
  void refusesMoreEntriesThanTheSetWasSizedFor() throws IOException {
    Path input = TestInputs.generate(dir, "in.txt", 1_000, List.of(), 1);
    Path target = dir.resolve("pwned.hibp");
    assertThatThrownBy(() -> SetBuilder.build(HibpInput.open(input), target,
        new BuildOptions(Instant.EPOCH, 500, 1e-10), BuildProgress.NONE))
        .hasMessageContaining("more than the 500 the set was sized for");
    assertThat(target).doesNotExist();
  }

  private List<Path> temporaryFiles() throws IOException {
    try (Stream<Path> files = Files.list(dir)) {
      return files.filter(p -> p.getFileName().toString().endsWith(".tmp")).toList();
    }
  }
}
