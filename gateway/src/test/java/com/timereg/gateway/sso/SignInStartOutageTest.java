package com.timereg.gateway.sso;

import static org.assertj.core.api.Assertions.assertThat;

import com.timereg.gateway.clientip.ClientKeyPolicy;
import com.timereg.gateway.clientip.ClientKeys;
import com.timereg.gateway.testsupport.Await;
import com.timereg.gateway.testsupport.CapturedLogs;
import io.vertx.core.Vertx;
import io.vertx.pgclient.PgBuilder;
import io.vertx.pgclient.PgConnectOptions;
import io.vertx.sqlclient.Pool;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.time.Clock;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/**
 * What was typed in the name field may be a password typed in the wrong field: when the database cannot say
 * whose name it is, the refusal is logged and audited without it.
 */
class SignInStartOutageTest {
  @Test
  void aNameThatCouldNotBeLookedUpIsNotLogged() throws Exception {
    Vertx vertx = Vertx.vertx();
    int closedPort;
    try (ServerSocket s = new ServerSocket(0)) {
      closedPort = s.getLocalPort();
    }
    // Nobody listens there: every query fails at once, as during a database outage.
    Pool pool = PgBuilder.pool().connectingTo(new PgConnectOptions().setHost("127.0.0.1").setPort(closedPort)
        .setDatabase("none").setUser("none").setPassword("none")).using(vertx).build();
    String typed = "Correct-Horse-Battery-Staple-42";
    try (CapturedLogs logs = CapturedLogs.atDebug()) {
      SsoService.Outcomes outcomes = new SsoService.Outcomes(new SsoAudit(pool, "node-1", Clock.systemUTC()),
          SsoMetrics.NONE, client -> {}, (client, name) -> {});
      SignInStart start = new SignInStart(SsoSettings.DEFAULTS, new SsoDirectory(pool), new SsoRequests(pool),
          new Providers(vertx, SsoSettings.DEFAULTS, new SecretReferences(vertx, Map.<String, String>of()::get,
              com.timereg.gateway.tls.KeyFileMode::secretFileRefusal),
              Clock.systemUTC()),
          new StartLimiter(SsoSettings.DEFAULT_MAX_STARTS_PER_ADDRESS_PER_MINUTE, StartLimiter.DEFAULT_MAX_CLIENTS,
              new ClientKeys(ClientKeyPolicy.DEFAULTS), Clock.systemUTC()),
          outcomes, Optional::empty, Clock.systemUTC());

      SsoService.StartResult result = Await.await(start.start(InetAddress.getLoopbackAddress(), typed, "/", "binding"));

      assertThat(result).isInstanceOf(SsoService.StartResult.Refused.class);
      assertThat(logs.lines()).anyMatch(line -> line.contains("SSO sign-in refused"));
      assertThat(logs.lines()).noneMatch(line -> line.contains(typed));
    } finally {
      Await.await(pool.close());
      Await.await(vertx.close());
    }
  }
}
