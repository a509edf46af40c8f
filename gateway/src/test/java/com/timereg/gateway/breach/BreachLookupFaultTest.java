package com.timereg.gateway.breach;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.timereg.gateway.password.BreachedPasswords;
import com.timereg.gateway.password.PasswordPolicy;
import com.timereg.gateway.password.PasswordPolicyChecker;
import com.timereg.gateway.password.PolicyCheck;
import com.timereg.gateway.password.StrengthEstimator;
import com.timereg.gateway.password.UserContext;
import com.timereg.hibp.HibpSet;
import com.timereg.hibp.Sha1;
import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A lookup that touches a mapped page past the end of a set file cut short in place faults (SIGBUS), which the JVM
 * throws as an InternalError, an Error rather than an Exception. BreachSet checks the file's length before and
 * after each lookup, but a cut between the check and the read (a {@code cp} over the set mid-lookup) still reaches
 * the read: the policy check must then fail the breach check closed (BREACH_CHECK_UNAVAILABLE, answered 503
 * {@code breach_check_unavailable}), not let the Error through to the route (a 500).
 */
class BreachLookupFaultTest {
  @TempDir Path dir;

  @Test
  void aLookupThatFaultsOnAFileCutShortUnderItsMappingFailsTheBreachCheckClosed() throws IOException {
    Path file = dir.resolve("current.set");
    BreachSetFiles.write(file, Map.of("hunter2", 5_000L), 200_000, 1, Instant.parse("2026-01-01T00:00:00Z"));
    try (HibpSet set = HibpSet.open(file)) {
      // The lookup as BreachSet makes it once its length check has passed: straight into the mapping.
      BreachedPasswords cutUnderTheLookup = new BreachedPasswords() {
        @Override
        public long prevalence(byte[] sha1) {
          return set.prevalence(sha1);
        }

        @Override
        public boolean available() {
          return true;
        }
      };
      try (RandomAccessFile raf = new RandomAccessFile(file.toFile(), "rw")) {
        raf.setLength(4096);
      }
      assertThatThrownBy(() -> set.prevalence(Sha1.ofPassword("hunter2"))).as("the fault, as the JVM reports it")
          .isInstanceOf(InternalError.class);

      PasswordPolicyChecker checker = new PasswordPolicyChecker(new StrengthEstimator(64, List.of()));
      PolicyCheck check = checker.check("hunter2", PasswordPolicy.DEFAULTS, UserContext.NONE, cutUnderTheLookup);
      assertThat(check.pwned()).isFalse();
      assertThat(check.reasons()).anyMatch(r -> r.kind() == PolicyCheck.Kind.BREACH_CHECK_UNAVAILABLE);
    }
  }
}
