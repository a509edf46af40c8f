package com.timereg.gateway.login;

import static org.assertj.core.api.Assertions.assertThat;

import com.timereg.gateway.clientip.ClientKeyPolicy;
import com.timereg.gateway.clientip.ClientKeys;
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
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * A password attempt whose address's verifications in flight take up its limit waits for them, silent, after the
 * per-name delay; the public listener closes a connection silent for public.idle-timeout. A wait of 30 s under an
 * idle timeout of 20 s had the connection closed under the waiting login, unanswered (a broken page, not the
 * documented 503). The wait now ends before the idle timeout, less the delay and a reserve for the verification.
 */
@ExtendWith(VertxExtension.class)
class VerificationAdmissionIdleTimeoutTest {

  @Test
  void theWaitEndsBeforeTheIdleTimeoutLeftAfterThePerNameDelay() {
    assertThat(LoginService.admissionWait(Duration.ofSeconds(60), Duration.ofSeconds(15)))
        .as("the defaults keep the whole 30 s").isEqualTo(Duration.ofSeconds(30));
    assertThat(LoginService.admissionWait(Duration.ofSeconds(20), Duration.ofSeconds(5)))
        .as("20 s - 5 s delay - 2 s reserve").isEqualTo(Duration.ofSeconds(13));
    assertThat(LoginService.admissionWait(Duration.ofSeconds(16), Duration.ofSeconds(15))).isZero();
  }

  /** With nothing left to wait, the attempt is answered busy at once, not left to the idle timeout. */
  @Test
  void anAttemptWithNoTimeLeftBeforeTheIdleTimeoutIsAnsweredBusyAtOnce(Vertx vertx) throws Exception {
    ThrottleService throttle = new ThrottleService(ThrottlePolicy.DEFAULTS, new ClientKeys(ClientKeyPolicy.DEFAULTS),
        new InMemoryThrottleStore(1_000), new InMemoryThrottleStore(1_000), new BlockRegistry(), Clock.systemUTC(),
        ThrottleMetrics.NOOP, Runnable::run);
    InetAddress client = InetAddress.getByName("127.0.0.7");
    for (int i = 0; i < ThrottlePolicy.DEFAULT_IP_FAILURE_LIMIT; i++) {
      assertThat(throttle.admitVerification(client).admitted()).isTrue();
    }
    VerificationAdmission admission = new VerificationAdmission(vertx, throttle,
        LoginService.admissionWait(Duration.ofSeconds(2), Duration.ofSeconds(1)));

    Future<String> outcome = admission.run(client, () -> Future.succeededFuture("verified"), b -> "blocked",
        () -> "busy");

    assertThat(outcome.isComplete()).as("answered without waiting").isTrue();
    assertThat(outcome.result()).isEqualTo("busy");
  }
}
