package com.timereg.gateway.loadtest;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Each virtual user of {@link PasswordChange} owns one account: two users changing the same account's password
 * at once undo each other's change (and a change ends the other user's session), so the account can be left
 * with a random password nobody knows. A credentials file that lists an account twice (LegitimateTraffic takes
 * that fine, to get more users) must stop this simulation before any traffic (PasswordChangeIT runs it).
 */
class PasswordChangeTest {
  @Test
  void anAccountListedTwiceStopsTheRunNamingItButNotItsPassword() {
    List<Map<String, Object>> accounts = List.of(
        Map.of("username", "alice@demo.test", "password", "first-Secret-1"),
        Map.of("username", "bob@demo.test", "password", "second-Secret-2"),
        Map.of("username", "Alice@Demo.test", "password", "third-Secret-3"));
    assertThatThrownBy(() -> PasswordChange.oneUserPerAccount(accounts)).isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("Alice@Demo.test").hasMessageContaining("-Dcredentials")
        .hasMessageNotContaining("Secret");
  }

  @Test
  void distinctAccountsAreTakenAsGiven() {
    assertThat(PasswordChange.oneUserPerAccount(Credentials.DEMO_USERS)).isEqualTo(Credentials.DEMO_USERS);
  }
}
