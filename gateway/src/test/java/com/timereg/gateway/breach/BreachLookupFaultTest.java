package com.timereg.gateway.breach;

import static org.assertj.core.api.Assertions.assertThat;

import com.timereg.gateway.password.BreachedPasswords;
import com.timereg.gateway.password.PasswordPolicy;
import com.timereg.gateway.password.PasswordPolicyChecker;
import com.timereg.gateway.password.PolicyCheck;
import com.timereg.gateway.password.StrengthEstimator;
import com.timereg.gateway.password.UserContext;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * A lookup that touches a mapped page past the end of a set file cut short in place faults (SIGBUS), which the JVM
 * throws as an InternalError, an Error rather than an Exception. BreachSet checks the file's length before and
 * after each lookup, but a cut between the check and the read (a {@code cp} over the set mid-lookup) still reaches
 * the read: the policy check must then fail the breach check closed (BREACH_CHECK_UNAVAILABLE, answered 503
 * {@code breach_check_unavailable}), not let the Error through to the route (a 500).
 */
class BreachLookupFaultTest {

  /**
   * The fault itself (a real mapping of a file cut short) is not raised here: in code the JIT has compiled, HotSpot
   * raises it later, at the thread's next safepoint, wherever that falls (a CI run saw it leave the lookup's own
   * {@code assertThatThrownBy} and surface in AssertJ), so no test can place it. The lookup stands in by throwing the
   * JVM's own error; BreachSet's length check after each lookup is what catches a late one
   * ({@code BreachSetChangedInPlaceTest}, {@code BreachSetCutShortEndToEndTest}).
   */
  @Test
  void aLookupThatFaultsOnAFileCutShortUnderItsMappingFailsTheBreachCheckClosed() {
    BreachedPasswords faulting = new BreachedPasswords() {
      @Override
      public long prevalence(byte[] sha1) {
        throw new InternalError("a fault occurred in an unsafe memory access operation");
      }

      @Override
      public boolean available() {
        return true;
      }
    };
    PasswordPolicyChecker checker = new PasswordPolicyChecker(new StrengthEstimator(64, List.of()));
    PolicyCheck check = checker.check("hunter2", PasswordPolicy.DEFAULTS, UserContext.NONE, faulting);
    assertThat(check.pwned()).isFalse();
    assertThat(check.reasons()).anyMatch(r -> r.kind() == PolicyCheck.Kind.BREACH_CHECK_UNAVAILABLE);
  }
}
