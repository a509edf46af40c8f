package com.timereg.gateway.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import com.timereg.gateway.testsupport.CapturedLogs;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Settings that are each within their range but do not fit together, read through the real loader. */
class CrossSettingConsistencyTest {
  @TempDir Path dir;

  private GatewayConfig load(String yaml) throws IOException {
    return GatewayConfig.load(Files.writeString(dir.resolve("gateway.yaml"), yaml), Map.<String, String>of()::get, true);
  }

  /** Dev mode moves the backend to its demo server: the other backend settings must stay as configured. */
  @Test
  void movingTheBackendKeepsTheConfiguredTunnelLimit() throws IOException {
    GatewayConfig c = load("backend:\n  max-tunnels-per-session: 3\n");

    assertThat(c.withBackend(URI.create("http://127.0.0.1:18000")).backend().maxTunnelsPerSession()).isEqualTo(3);
  }

  /**
   * A login for a name with many failures is held for the per-name delay before anything is written; a delay as
   * long as the idle timeout has its connection closed unanswered (the user sees a broken connection, not a slow
   * login), so the pair is refused at start naming both keys.
   */
  @Test
  void aPerNameDelayAsLongAsTheIdleTimeoutIsRefused() throws IOException {
    assertThatThrownBy(() -> load("public:\n  idle-timeout: 60s\nthrottle:\n  account-max-delay: 2m\n"))
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining("throttle.account-max-delay")
        .hasMessageContaining("public.idle-timeout");
    assertThatThrownBy(() -> load("public:\n  idle-timeout: 10s\n"))
        .as("the default delay cap (15s) against a shorter idle timeout")
        .hasMessageContaining("throttle.account-max-delay");
    assertThat(load("public:\n  idle-timeout: 5m\nthrottle:\n  account-max-delay: 2m\n")
        .throttle().policy().accountMaxDelay()).hasMinutes(2);
    assertThat(load("").throttle().policy().accountMaxDelay()).hasSeconds(15);
  }

  /** README: no response head within backend.response-timeout is a 504; the idle timeout must not close it first. */
  @Test
  void aBackendResponseTimeoutAsLongAsTheIdleTimeoutIsRefused() throws IOException {
    assertThatThrownBy(() -> load("public:\n  idle-timeout: 60s\nbackend:\n  response-timeout: 2m\n"))
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining("backend.response-timeout")
        .hasMessageContaining("public.idle-timeout");
    assertThat(load("public:\n  idle-timeout: 10m\nbackend:\n  response-timeout: 5m\n").backend().responseTimeout())
        .hasMinutes(5);
  }

  /**
   * The response timeout starts once the request is forwarded: before it the request waits up to
   * backend.connect-timeout for a connection (the pool's next free one, or a new one), its client's connection
   * silent all the same. A response timeout alone shorter than the idle timeout still let the connection be closed
   * unanswered (5s for a connection + 29s for the head under an idle timeout of 30s), before the 504.
   */
  @Test
  void theWaitForABackendConnectionCountsWithTheResponseTimeoutAgainstTheIdleTimeout() throws IOException {
    assertThatThrownBy(() -> load("public:\n  idle-timeout: 30s\nbackend:\n  response-timeout: 29s\n"))
        .as("the default connect-timeout, 5s")
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining("backend.response-timeout: with backend.connect-timeout (PT5S), must be shorter than"
            + " public.idle-timeout (PT30S), got PT29S (PT34S in all)");
    assertThat(load("public:\n  idle-timeout: 30s\nbackend:\n  response-timeout: 24s\n").backend().responseTimeout())
        .hasSeconds(24);
  }

  /**
   * backend.url at the gateway's own public listener sends every proxied request back into the gateway, which
   * proxies it again (public paths need no session): connections pile up until the pool and the wait queue are
   * full, and requests hang until the response timeout.
   */
  @Test
  void aBackendAtTheGatewaysOwnPublicListenerIsRefused() throws IOException {
    for (String url : new String[] {"https://127.0.0.1:8443", "https://localhost:8443", "http://[::1]:8443",
        "https://LOCALHOST:8443"}) {
      assertThatThrownBy(() -> load("backend:\n  url: " + url + "\n"))
          .as(url)
          .isInstanceOf(ConfigException.class)
          .hasMessageContaining("backend.url")
          .hasMessageContaining("public.port");
    }
    assertThatThrownBy(() -> load("public:\n  host: 10.1.2.3\n  port: 9443\nbackend:\n  url: https://10.1.2.3:9443\n"))
        .hasMessageContaining("backend.url");
    assertThatThrownBy(() -> load("public:\n  port: 443\nbackend:\n  url: https://127.0.0.1\n"))
        .as("the scheme's default port").hasMessageContaining("backend.url");
    // Another port, or another machine at the same port, is an ordinary backend.
    assertThat(load("backend:\n  url: http://127.0.0.1:8000\n").backend().backend().getPort()).isEqualTo(8000);
    assertThat(load("backend:\n  url: https://app.internal:8443\n").backend().backend().getHost()).isEqualTo("app.internal");
  }

  /**
   * A prefix of 0 would make every address one client (or one range): the loader's range must say so, naming the
   * key as every other problem does, rather than take 0 and leave the refusal to a message naming only the section.
   */
  @Test
  void aClientAddressPrefixOfZeroIsRefusedNamingItsKeyWithTheRangeItAllows() throws IOException {
    for (String key : new String[] {"ipv4-client-prefix", "ipv4-range-prefix"}) {
      assertThatThrownBy(() -> load("client-address:\n  " + key + ": 0\n"))
          .as(key).isInstanceOf(ConfigException.class)
          .hasMessageContaining("client-address." + key + ": must be between 1 and 32, got 0");
      assertThatThrownBy(() -> load("client-address:\n  " + key + ": 33\n"))
          .as(key).hasMessageContaining("client-address." + key + ": must be between 1 and 32, got 33");
    }
    for (String key : new String[] {"ipv6-client-prefix", "ipv6-range-prefix"}) {
      assertThatThrownBy(() -> load("client-address:\n  " + key + ": 0\n"))
          .as(key).hasMessageContaining("client-address." + key + ": must be between 1 and 128, got 0");
    }
    assertThatThrownBy(() -> load("client-address:\n  ipv4-client-prefix: 16\n"))
        .as("a range key longer than the client key names both")
        .hasMessageContaining("client-address: ipv4-range-prefix (24) must not be longer than ipv4-client-prefix (16)");
    assertThat(load("client-address:\n  ipv4-client-prefix: 1\n  ipv4-range-prefix: 1\n").throttle().keys()
        .ipv4RangePrefix()).isEqualTo(1);
  }

  /**
   * The range holds the address and counts the same failures: a range limit below the address's would block the
   * whole range, every neighbour with it, before the address reached its own limit. Refused with the rest of the
   * problems, naming both keys; an equal limit is taken.
   */
  @Test
  void aRangeFailureLimitBelowTheAddressLimitIsRefusedWithTheOtherProblems() throws IOException {
    assertThatThrownBy(() -> load("throttle:\n  ip-failure-limit: 10\n  range-failure-limit: 5\n"
        + "backend:\n  response-timeout: 2m\n"))
        .isInstanceOf(ConfigException.class)
        .satisfies(e -> assertThat(((ConfigException) e).problems())
            .as("both problems, together")
            .anySatisfy(p -> assertThat(p).startsWith("throttle.range-failure-limit: must not be below"
                + " throttle.ip-failure-limit (10), got 5"))
            .anySatisfy(p -> assertThat(p).startsWith("backend.response-timeout:")));
    assertThat(load("throttle:\n  ip-failure-limit: 10\n  range-failure-limit: 10\n").throttle().policy()
        .rangeFailureLimit()).isEqualTo(10);
  }

  /**
   * A blocked-client window shorter than the failure window, and an escalation memory shorter than a first block,
   * each do less than they seem to (docs/throttle.md) but nothing unsafe: taken, with a WARN line naming both keys.
   */
  @Test
  void windowsThatDoLessThanTheySeemAreTakenWithAWarningNamingBothKeys() throws IOException {
    try (CapturedLogs logs = CapturedLogs.atDebug()) {
      GatewayConfig c = load("throttle:\n  window: 10m\n  range-blocked-client-window: 5m\n  first-block: 15m\n"
          + "  escalation-memory: 1m\n");
      assertThat(c.throttle().policy().rangeBlockedClientWindow()).hasMinutes(5);
      assertThat(logs.lines())
          .anySatisfy(l -> assertThat(l).startsWith("throttle.range-blocked-client-window (PT5M) is shorter than"
              + " throttle.window (PT10M)"))
          .anySatisfy(l -> assertThat(l).startsWith("throttle.escalation-memory (PT1M) is shorter than"
              + " throttle.first-block (PT15M)"));
    }
    try (CapturedLogs logs = CapturedLogs.atDebug()) {
      load("");
      assertThat(logs.lines()).as("the defaults").noneMatch(l -> l.startsWith("throttle."));
    }
  }

  /**
   * nginx takes client_max_body_size 0 for "no limit"; here it refused every request body with 413, every form the
   * application posts, without a word at start.
   */
  @Test
  void aMaxBodySizeOfZeroIsRefusedSayingWhatItWouldDo() throws IOException {
    assertThatThrownBy(() -> load("public:\n  max-body-size: 0\n"))
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining("public.max-body-size: must be between 1 and")
        .hasMessageContaining("every request body would be refused");
    assertThat(load("public:\n  max-body-size: 1\n").publicListener().maxBodySize()).isEqualTo(1);
  }

  /**
   * A sign-in's callback waits on the provider step after step: with an uncached provider the secret, the discovery
   * document and the key set (each up to sso.discovery-timeout), the code exchange (sso.token-timeout), and after a
   * refused ID token the key set again. Longer than the idle timeout, the browser's connection was closed under it
   * unanswered; refused at start like the other waits, once Microsoft sign-in is set up (sso.public-base-url).
   */
  @Test
  void anSsoCallbackThatCouldWaitPastTheIdleTimeoutIsRefused() throws IOException {
    String sso = "sso:\n  public-base-url: https://login.example.com\n";
    String idle30s = "public:\n  idle-timeout: 30s\nbackend:\n  response-timeout: 20s\n";
    assertThatThrownBy(() -> load(idle30s + sso))
        .as("the defaults, 4 x 5s + 10s = 30s")
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining("sso.discovery-timeout: with sso.token-timeout, must leave a sign-in's callback shorter"
            + " than public.idle-timeout (PT30S)")
        .hasMessageContaining("= PT30S");
    assertThatThrownBy(() -> load("public:\n  idle-timeout: 60s\n" + sso + "  token-timeout: 40s\n"))
        .hasMessageContaining("sso.discovery-timeout: with sso.token-timeout");
    assertThat(load(idle30s + sso + "  discovery-timeout: 4s\n").sso().settings().discoveryTimeout()).hasSeconds(4);
    assertThat(load(idle30s).publicListener().idleTimeout()).as("no Microsoft sign-in set up").hasSeconds(30);
  }
}
