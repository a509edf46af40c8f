package com.timereg.gateway.login;

import static org.assertj.core.api.Assertions.assertThat;

import com.timereg.gateway.clientip.ClientKeyPolicy;
import com.timereg.gateway.clientip.ClientKeys;
import com.timereg.gateway.password.DjangoPbkdf2Hasher;
import com.timereg.gateway.password.PasswordMetrics;
import com.timereg.gateway.password.PasswordVerifier;
import com.timereg.gateway.password.VerificationPool;
import com.timereg.gateway.session.SessionMetrics;
import com.timereg.gateway.session.SessionService;
import com.timereg.gateway.session.SessionSettings;
import com.timereg.gateway.session.TokenKeys;
import com.timereg.gateway.store.Database;
import com.timereg.gateway.store.PostgresExtension;
import com.timereg.gateway.store.TestDatabase;
import com.timereg.gateway.testsupport.Await;
import com.timereg.gateway.testsupport.TestAccounts;
import com.timereg.gateway.throttle.BlockRegistry;
import com.timereg.gateway.throttle.InMemoryThrottleStore;
import com.timereg.gateway.throttle.ThrottleMetrics;
import com.timereg.gateway.throttle.ThrottlePolicy;
import com.timereg.gateway.throttle.ThrottleService;
import io.micrometer.core.instrument.Meter;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.vertx.core.Vertx;
import java.net.InetAddress;
import java.sql.Connection;
import java.time.Clock;
import java.util.Set;
import java.util.TreeSet;
import java.util.UUID;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Password logins' latency as a Prometheus histogram ({@code gateway_login_duration_seconds{outcome}}), so that
 * an SRE can watch the login p99 of every node together ({@code histogram_quantile} over summed buckets), which
 * the verification timer's client-side summary cannot give. Labelled by outcome alone: no name, no address.
 */
@ExtendWith(PostgresExtension.class)
class LoginDurationHistogramTest {
  private static final String PASSWORD = "Harbour-Lantern-Quiet-17";

  private Vertx vertx;
  private Database database;
  private VerificationPool pool;
  private SessionService sessions;
  private LoginService logins;
  private PrometheusMeterRegistry registry;
  private String suffix;

  @BeforeEach
  void start(TestDatabase db) throws Exception {
    suffix = UUID.randomUUID().toString().substring(0, 8);
    try (Connection c = db.openJdbc()) {
      TestAccounts.createUser(c, "latency", "ada-" + suffix + "@example.com", PASSWORD);
    }
    vertx = Vertx.vertx();
    database = Database.create(vertx, db.databaseSettings());
    pool = new VerificationPool(vertx, 1, 10, 1);
    sessions = SessionService.create(vertx, database, SessionSettings.DEFAULTS, TokenKeys.ephemeral("ES256"),
        SessionMetrics.NOOP, Clock.systemUTC());
    Await.await(sessions.start());
    ThrottleService throttle = new ThrottleService(ThrottlePolicy.DEFAULTS, new ClientKeys(ClientKeyPolicy.DEFAULTS),
        new InMemoryThrottleStore(1_000), new InMemoryThrottleStore(1_000), new BlockRegistry(), Clock.systemUTC(),
        ThrottleMetrics.NOOP, Runnable::run);
    registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    logins = new LoginService(vertx, new UserDirectory(database.pool()),
        new PasswordVerifier(pool, new DjangoPbkdf2Hasher(TestAccounts.ITERATIONS), PasswordMetrics.NONE), throttle,
        sessions, new MicrometerLoginMetrics(registry));
  }

  @AfterEach
  void stop() {
    Await.await(sessions.stop());
    Await.await(pool.close(1_000));
    Await.await(database.close());
    Await.await(vertx.close());
  }

  @Test
  void everyPasswordLoginIsTimedInAHistogramByItsOutcomeOnly() throws Exception {
    String before = registry.scrape();
    for (String outcome : MicrometerLoginMetrics.PASSWORD_OUTCOMES) {
      // From the start, so that rate() over the buckets counts the first login of each outcome.
      for (String le : new String[] {"0.01", "0.05", "0.1", "0.25", "0.5", "1.0", "2.5", "5.0", "10.0", "30.0", "+Inf"}) {
        assertThat(before).contains("gateway_login_duration_seconds_bucket{outcome=\"" + outcome + "\",le=\"" + le + "\"} 0");
      }
    }

    InetAddress client = InetAddress.getByName("127.0.0.9");
    assertThat(Await.await(logins.login(client, "ada-" + suffix + "@example.com", PASSWORD)))
        .isInstanceOf(LoginResult.Success.class);
    assertThat(Await.await(logins.login(client, "ada-" + suffix + "@example.com", "not-" + PASSWORD)))
        .isEqualTo(LoginResult.INVALID);
    assertThat(Await.await(logins.login(client, "nobody-" + suffix + "@example.com", PASSWORD)))
        .isEqualTo(LoginResult.INVALID);
    assertThat(Await.await(logins.login(client, "", PASSWORD))).isEqualTo(LoginResult.INVALID);

    String after = registry.scrape();
    assertThat(after).contains("gateway_login_duration_seconds_count{outcome=\"success\"} 1")
        .contains("gateway_login_duration_seconds_bucket{outcome=\"success\",le=\"+Inf\"} 1")
        .contains("gateway_login_duration_seconds_count{outcome=\"invalid\"} 3")
        .contains("gateway_login_duration_seconds_count{outcome=\"busy\"} 0");
    Set<String> labels = new TreeSet<>();
    for (Meter m : registry.find("gateway.login.duration").meters()) {
      m.getId().getTags().forEach(t -> labels.add(t.getKey()));
    }
    assertThat(labels).containsExactly("outcome");
  }
}
