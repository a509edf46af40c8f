package com.timereg.gateway.login;

import com.timereg.gateway.password.PolicyCheck;
import com.timereg.gateway.throttle.BlockKind;
import java.util.List;

/** What a password change (or a strength check) came to; the HTTP layer maps each to a response. */
public sealed interface PasswordChangeResult {
  /** Changed; the user's other sessions have been ended. */
  record Changed(int otherSessionsEnded) implements PasswordChangeResult {}

  /** The verdict of a strength check ({@code POST /password/check}); nothing was changed. */
  record Checked(PolicyCheck check) implements PasswordChangeResult {}

  /** A field is missing or too long (400). */
  record Malformed(String message) implements PasswordChangeResult {}

  /** The current password is wrong (401); counted as an invalid login for throttling. */
  record WrongCurrentPassword() implements PasswordChangeResult {}

  /** The new password breaks the customer's policy (422); the reasons say why. */
  record Refused(List<PolicyCheck.Reason> reasons) implements PasswordChangeResult {
    public Refused {
      reasons = List.copyOf(reasons);
    }
  }

  /** No breach set is loaded and the gateway fails closed (503). */
  record BreachCheckUnavailable() implements PasswordChangeResult {}

  /** The account signs in with Microsoft only: there is no password to change here (403). */
  record PasswordNotUsed(String message) implements PasswordChangeResult {}

  /** The session's user no longer exists or was deactivated (403). */
  record NoAccount() implements PasswordChangeResult {}

  /** The stored password changed while this request ran (another change won); nothing was stored (409). */
  record ChangedMeanwhile() implements PasswordChangeResult {}

  /**
   * The client's address is blocked: the current password was not verified (429 with Retry-After). A session
   * lets a blocked address reach the backend, not guess passwords.
   */
  record Blocked(BlockKind kind, long retryAfterSeconds) implements PasswordChangeResult {}

  /** The verification pool is full: 503 with Retry-After; nothing was counted or changed. */
  record Busy(int retryAfterSeconds) implements PasswordChangeResult {}
}
