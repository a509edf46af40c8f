package com.timereg.gateway.edge;

import static org.assertj.core.api.Assertions.assertThat;

import com.timereg.gateway.password.DjangoPbkdf2Hasher;
import com.timereg.gateway.store.PostgresExtension;
import com.timereg.gateway.store.TestDatabase;
import com.timereg.gateway.testsupport.BlockedThreadWatch;
import com.timereg.gateway.testsupport.CapturedLogs;
import io.vertx.core.Vertx;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * The plain-text log lines (logback's pattern layout, no escaping) that name a request's path: a client must not
 * put a terminal escape sequence or another control character into them. Netty's HTTP/1.1 decoder takes ESC,
 * NUL and DEL in a request target as they come; the backend here is down, so a proxied request writes the
 * proxy's WARN line, which names the path's first segment.
 */
@ExtendWith({PostgresExtension.class, BlockedThreadWatch.class})
class PlainLogInjectionEndToEndTest {
  static final String USER = "erik@e2e.test";
  static final String PASSWORD = "Erik-reads-the-plain-log-2026";

  @TempDir static Path dir;
  static Vertx vertx;
  static E2eGateway gw;
  static String token;

  @BeforeAll
  static void start(TestDatabase db) throws Exception {
    vertx = Vertx.vertx();
    gw = E2eGateway.start(dir, db, vertx, -1, Map.of());
    new E2eUsers(db).create(USER, new DjangoPbkdf2Hasher(20_000).hash(PASSWORD), true);
    token = gw.accessToken(USER, PASSWORD);
  }

  @AfterAll
  static void stop() {
    E2eGateway.closeAll(vertx, gw);
  }

  @Test
  void anHttp1TargetWithAnEscapeSequenceIsRefusedBeforeItReachesALogLine() throws Exception {
    // ESC E is NEL to a terminal (docker logs, kubectl logs): what follows shows as a line of its own. Netty and
    // Vert.x take it in a target (not a CSI sequence: the '[' is refused).
    String target = "/x\u001bEERROR-forged-line";
    try (CapturedLogs logs = CapturedLogs.atDebug()) {
      RawTls.Answers a = RawTls.exchangeOctets("127.0.93.1", gw.gateway.publicPort(), "GET " + target
          + " HTTP/1.1\r\nHost: localhost\r\nAuthorization: Bearer " + token + "\r\nConnection: close\r\n\r\n");

      assertThat(logs.lines()).as("the proxy's line named it").noneMatch(l -> l.indexOf('\u001b') >= 0);
      assertThat(RawTls.statuses(a.text())).as("refused as the same target over HTTP/2 is").containsExactly(400);
    }
  }

  @Test
  void anHttp1TargetWithANulDelOrBackspaceIsRefused() throws Exception {
    for (String target : new String[] {"/api/a\u0000b", "/api/a\u007fb", "/api/a\u0008b"}) {
      RawTls.Answers a = RawTls.exchangeOctets("127.0.93.2", gw.gateway.publicPort(), "GET " + target
          + " HTTP/1.1\r\nHost: localhost\r\nAuthorization: Bearer " + token + "\r\nConnection: close\r\n\r\n");
      assertThat(RawTls.statuses(a.text())).as(target).containsExactly(400);
    }
  }
}
