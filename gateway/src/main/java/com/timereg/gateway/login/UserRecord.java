package com.timereg.gateway.login;

import com.timereg.gateway.password.PasswordPolicy;
import java.util.List;

/**
 * A user with what login and password change need of the customer. {@link #toString()} leaves
 * the password hash out, so the record may be logged.
 */
public record UserRecord(
    long id, String loginName, String email, String passwordHash, boolean active, List<String> roles,
    long customerId, String customerSlug, String customerName, SsoMode ssoMode, PasswordPolicy passwordPolicy) {

  /**
   * False also for Django's unusable password ({@code set_unusable_password()} stores "!" and random text,
   * and Django's {@code has_usable_password()} is then false): there is nothing to sign in with or change.
   */
  public boolean hasPassword() {
    return passwordHash != null && !passwordHash.isEmpty() && !passwordHash.startsWith("!");
  }

  @Override
  public String toString() {
    return "UserRecord[id=" + id + ", loginName=" + loginName + ", customer=" + customerSlug + ", active=" + active + "]";
  }
}
