package com.timereg.gateway.login;

import static org.assertj.core.api.Assertions.assertThat;

import com.timereg.gateway.clientip.Cidr;
import com.timereg.gateway.clientip.ClientKeyPolicy;
import com.timereg.gateway.clientip.ClientKeys;
import com.timereg.gateway.throttle.AllowEntry;
import com.timereg.gateway.throttle.BlockRegistry;
import com.timereg.gateway.throttle.InMemoryThrottleStore;
import com.timereg.gateway.throttle.ThrottleMetrics;
import com.timereg.gateway.throttle.ThrottlePolicy;
import com.timereg.gateway.throttle.ThrottleService;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.junit5.VertxExtension;
import java.net.InetAddress;
import java.time.Clock;
import java.time.Instant;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The verifications in flight of an address and its range (which hold back a range's guesses sent together) must
 * come back to zero once they have ended, whatever staff did to the allowlist meanwhile: an address allowlisted
 * while its verification ran must give its range's place back (else the range, after enough of them, waits for
 * verifications that ended long ago, and its logins are refused for good), and one taken off the allowlist
 * meanwhile must not give back a place it never took (a neighbour's, letting the range past its limit).
 */
@ExtendWith(VertxExtension.class)
class VerificationAdmissionAllowlistTest {
  private static final Cidr OFFICE = Cidr.parse("198.51.100.1");

  private BlockRegistry registry;
  private ThrottleService throttle;
  private VerificationAdmission admission;

  @BeforeEach
  void setUp(Vertx vertx) {
    registry = new BlockRegistry();
    throttle = new ThrottleService(ThrottlePolicy.DEFAULTS, new ClientKeys(ClientKeyPolicy.DEFAULTS),
        new InMemoryThrottleStore(1_000), new InMemoryThrottleStore(1_000), registry, Clock.systemUTC(),
        ThrottleMetrics.NOOP, Runnable::run);
    admission = new VerificationAdmission(vertx, throttle);
  }

  @Test
  void anAddressAllowlistedWhileItsVerificationRunsGivesItsRangesPlaceBack() {
    for (int i = 0; i < 50; i++) {
      assertThat(verify(ip("198.51.100.1"), () -> registry.putAllow(allow()))).isEqualTo("verified");
      registry.removeAllow(OFFICE);
    }
    assertThat(throttle.admitVerification(ip("198.51.100.2")).admitted())
        .as("a neighbour, with no verification of the range in flight").isTrue();
  }

  @Test
  void anAddressTakenOffTheAllowlistWhileItsVerificationRunsGivesBackNoNeighboursPlace() {
    for (int a = 2; a <= 6; a++) {
      for (int i = 0; i < 10; i++) {
        assertThat(throttle.admitVerification(ip("198.51.100." + a)).admitted()).isTrue();
      }
    }
    registry.putAllow(allow());
    assertThat(verify(ip("198.51.100.1"), () -> registry.removeAllow(OFFICE))).isEqualTo("verified");
    assertThat(throttle.admitVerification(ip("198.51.100.7")).mustWait())
        .as("50 verifications of the range still in flight take up its limit").isTrue();
  }

  private String verify(InetAddress client, Runnable meanwhile) {
    Future<String> outcome = admission.run(client, () -> {
      meanwhile.run();
      return Future.succeededFuture("verified");
    }, blocked -> "blocked", () -> "waited");
    assertThat(outcome.isComplete()).isTrue();
    return outcome.result();
  }

  private static AllowEntry allow() {
    return new AllowEntry(OFFICE, "office", "admin", Instant.parse("2026-01-05T08:00:00Z"));
  }

  private static InetAddress ip(String literal) {
    try {
      return InetAddress.getByName(literal);
    } catch (java.net.UnknownHostException e) {
      throw new IllegalArgumentException(e);
    }
  }
}
