package com.timereg.gateway.edge;

import static com.timereg.gateway.edge.ThrottledGateway.PASSWORD;
import static org.assertj.core.api.Assertions.assertThat;

import com.timereg.gateway.store.PostgresExtension;
import com.timereg.gateway.store.TestDatabase;
import com.timereg.gateway.testsupport.SourceClient;
import java.nio.file.Path;
import java.sql.Connection;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * Refusals of blocked clients answered inside the connection's pipeline ({@link ConnectionFastPath}), seen on
 * the wire: raw HTTP/1.1 over a real TLS connection from a blocked 127.0.0.0/8 source, with pipelined
 * requests, so the order of answers, the framing of each and what happens to request bodies are visible.
 */
@ExtendWith(PostgresExtension.class)
class ConnectionFastPathTest {
  static final String USER = "fast@acme.test";

  @TempDir static Path dir;
  static ThrottledGateway gw;

  @BeforeAll
  static void start(TestDatabase db) throws Exception {
    gw = ThrottledGateway.startWithUser(dir, db, USER, Map.of(
        "GATEWAY_THROTTLE__IP_FAILURE_LIMIT", "3",
        "GATEWAY_THROTTLE__SURGE_FAILURES_PER_MINUTE", "10000"));
  }

  @AfterAll
  static void stop() {
    ThrottledGateway.closeIfStarted(gw);
  }

  @Test
  void refusesPipelinedRequestsOneByOneDroppingTheirBodiesUntilTheClientClosesTheConnection() throws Exception {
    block("127.0.61.1");
    double inConnection = refusals("connection");
    double onRequestPath = refusals("request");
    String answers = exchange("127.0.61.1",
        "POST /api/upload HTTP/1.1\r\nHost: localhost\r\nContent-Type: text/plain\r\nContent-Length: 11\r\n\r\nhello world"
        + "GET /api/timesheets HTTP/1.1\r\nHost: localhost\r\nAccept: text/html\r\n\r\n"
        + "GET /login HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n");

    assertThat(statuses(answers)).containsExactly(429, 429, 429);
    assertThat(answers).contains("Retry-After: ").contains("Strict-Transport-Security: max-age=")
        .contains("\"error\":\"too_many_requests\"").contains("<h1>Too many attempts</h1>")
        .contains("Connection: close");
    assertThat(refusals("connection") - inConnection).as("answered in the connection's pipeline").isEqualTo(3);
    assertThat(refusals("request")).isEqualTo(onRequestPath);
  }

  @Test
  void dropsALargeBodyArrivingInManyPiecesAndAnswersTheNextRequestOnTheConnection() throws Exception {
    block("127.0.64.1");
    String body = "x".repeat(300_000);
    String answers = exchange("127.0.64.1",
        "POST /api/upload HTTP/1.1\r\nHost: localhost\r\nContent-Type: text/plain\r\nContent-Length: " + body.length()
        + "\r\n\r\n" + body
        + "GET /api/timesheets HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n");

    assertThat(statuses(answers)).containsExactly(429, 429);
  }

  @Test
  void anAmbiguouslyFramedRequestEndsTheConnectionBlockedOrNot() throws Exception {
    block("127.0.65.1");
    String ambiguous = "POST /api/upload HTTP/1.1\r\nHost: localhost\r\nContent-Length: 5\r\nContent-Length: 6\r\n\r\nhello!"
        + "GET /api/timesheets HTTP/1.1\r\nHost: localhost\r\n\r\n";

    // HTTP's decoder refuses two Content-Length values itself: one 400, then the connection closes, so the
    // bytes after the ambiguous request are never taken for a request (and no 429 answers them).
    assertThat(statuses(exchange("127.0.65.1", ambiguous))).as("blocked source").containsExactly(400);
    assertThat(statuses(exchange("127.0.65.2", ambiguous))).as("unblocked source").containsExactly(400);
  }

  @Test
  void aLoggedInColleaguesRequestIsAnsweredBeforeTheRefusalPipelinedBehindIt() throws Exception {
    String token;
    try (SourceClient colleague = gw.from("127.0.62.2")) {
      token = colleague.token(USER, PASSWORD).json().getString("access_token");
    }
    block("127.0.62.1");
    double onRequestPath = refusals("request");
    String answers = exchange("127.0.62.1",
        "GET /api/timesheets HTTP/1.1\r\nHost: localhost\r\nAuthorization: Bearer " + token + "\r\n\r\n"
        + "GET /api/timesheets HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n");

    assertThat(statuses(answers)).containsExactly(200, 429);
    assertThat(answers).contains(USER);
    assertThat(refusals("request") - onRequestPath).as("the pipelined refusal waited for its turn").isEqualTo(1);
  }

  @Test
  void leavesSessionRenewalsAndCredentialsToTheRouter() throws Exception {
    block("127.0.63.1");
    String answers = exchange("127.0.63.1",
        "POST /auth/refresh HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\nContent-Length: 2\r\n\r\n{}"
        + "GET /api/timesheets HTTP/1.1\r\nHost: localhost\r\nAuthorization: Bearer not-a-token\r\nConnection: close\r\n\r\n");

    // The renewal route answers for itself (400: no refresh token); the bad bearer token is refused by the router.
    assertThat(statuses(answers)).containsExactly(400, 429);
  }

  @Test
  void aRefusedHeadRequestGetsAHeadWithoutContentSoTheNextAnswerOnTheConnectionIsReadRight() throws Exception {
    block("127.0.66.1");
    String answers = exchange("127.0.66.1",
        "HEAD /api/timesheets HTTP/1.1\r\nHost: localhost\r\nAccept: application/json\r\n\r\n"
        + "GET /api/timesheets HTTP/1.1\r\nHost: localhost\r\nAccept: application/json\r\nConnection: close\r\n\r\n");

    int headEnd = answers.indexOf("\r\n\r\n");
    assertThat(headEnd).isPositive();
    assertThat(answers.substring(0, headEnd)).startsWith("HTTP/1.1 429 ").contains("Retry-After: ");
    // RFC 9110 9.3.2: the answer to HEAD has no content. A client (or a balancer reusing the connection) reads
    // the next answer right after this head; bytes of a body there would be taken as the next answer.
    assertThat(answers.substring(headEnd + 4)).as("what follows the HEAD answer's head")
        .startsWith("HTTP/1.1 429 ");
    assertThat(statuses(answers)).containsExactly(429, 429);
  }

  /**
   * A client that asked for 100 Continue and got the refusal instead does not send its body (RFC 9110 10.1.1);
   * read on, the connection would take its next request for that body. So the refusal ends the connection.
   */
  @Test
  void aRefusedRequestAwaitingContinueEndsTheConnection() throws Exception {
    block("127.0.67.1");
    RawTls.Answers a = RawTls.exchangeOctets("127.0.67.1", gw.gateway().publicPort(),
        "POST /api/upload HTTP/1.1\r\nHost: localhost\r\nContent-Type: text/plain\r\nContent-Length: 11\r\n"
        + "Expect: 100-continue\r\n\r\n");

    assertThat(statuses(a.text())).containsExactly(429);
    assertThat(a.text()).contains("Connection: close");
    assertThat(a.closed()).as("the connection ends after the refusal").isTrue();
  }

  /**
   * The refusal page is a page the gateway renders, like the login page: no framing, no script, no caching, and
   * Retry-After, whether the connection's pipeline answers it (HTTP/1.1) or the entry step (HTTP/1.0).
   */
  @Test
  void theRefusalPageForBrowsersCarriesTheSecurityHeadersOfTheGatewaysOtherPages() throws Exception {
    block("127.0.68.1");
    double inConnection = refusals("connection");
    double onRequestPath = refusals("request");
    String inPipeline = exchange("127.0.68.1",
        "GET /api/timesheets HTTP/1.1\r\nHost: localhost\r\nAccept: text/html\r\nConnection: close\r\n\r\n");
    String onEntry = exchange("127.0.68.1", "GET /api/timesheets HTTP/1.0\r\nHost: localhost\r\nAccept: text/html\r\n\r\n");
    assertThat(refusals("connection") - inConnection).isEqualTo(1);
    assertThat(refusals("request") - onRequestPath).isEqualTo(1);

    for (String answer : List.of(inPipeline, onEntry)) {
      assertThat(answer).startsWith(answer == onEntry ? "HTTP/1.0 429 " : "HTTP/1.1 429 ");
      assertThat(answer).contains("<h1>Too many attempts</h1>")
          .contains("Content-Type: text/html; charset=utf-8\r\n")
          .contains("Retry-After: ").contains("Cache-Control: no-store\r\n")
          .contains("Content-Security-Policy: default-src 'none'; frame-ancestors 'none'\r\n")
          .contains("X-Frame-Options: DENY\r\n").contains("X-Content-Type-Options: nosniff\r\n");
    }
  }

  private static double refusals(String stage) {
    return SourceClient.sample(gw.metrics(), "gateway_throttle_refusals_total{stage=\"" + stage + "\"}");
  }

  private static void block(String source) {
    try (SourceClient attacker = gw.from(source)) {
      assertThat(attacker.failUntilBlocked(10, Map.of())).isPositive();
    }
  }

  private static String exchange(String source, String requests) throws Exception {
    return RawTls.exchange(source, gw.gateway().publicPort(), requests);
  }

  private static List<Integer> statuses(String answers) {
    return RawTls.statuses(answers);
  }
}
