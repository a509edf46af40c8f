package com.timereg.gateway.proxy;

import static com.timereg.gateway.proxy.ProxyTestBed.await;

import com.timereg.gateway.testsupport.ManualClock;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.core.http.HttpVersion;
import io.vertx.junit5.VertxExtension;
import io.vertx.junit5.VertxTestContext;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * An answer still being relayed when the access token of its request expires, its session alive: a long download
 * or an event stream. A revoked session's answer is cut (StreamingRevocationEndToEndTest), but an access token
 * expires every few minutes (session.access-token-lifetime, 5m) and is refreshed by the next request: cutting then
 * broke every download that outlasted its token's remaining minutes, one started a second before the expiry
 * within a second.
 */
@ExtendWith(VertxExtension.class)
class StreamingPastTokenExpiryTest {
  /** Events the client must see after the expiry: at one each 100 ms, past two of OpenTunnels' 1 s checks. */
  static final int EVENTS_AFTER_EXPIRY = 25;

  @ParameterizedTest
  @EnumSource(value = HttpVersion.class, names = {"HTTP_1_1", "HTTP_2"})
  void anAnswerOutlivesTheAccessTokenOfItsRequest(HttpVersion version, Vertx vertx, VertxTestContext test) {
    ManualClock clock = ManualClock.startingNow();
    ForwardedIdentity identity = new ForwardedIdentity("alice@example.com", "acme", "password", "session-1",
        clock.instant().plus(Duration.ofMinutes(5)));
    int port = await(vertx.createHttpServer().requestHandler(request -> {
      HttpServerResponse response = request.response().setChunked(true).putHeader("Content-Type", "text/event-stream");
      long timer = vertx.setPeriodic(100, id -> response.write("data: tick\n\n"));
      response.closeHandler(closed -> vertx.cancelTimer(timer));
    }).listen(0, "127.0.0.1")).actualPort();
    ProxyTestBed bed = ProxyTestBed.start(vertx, ProxyTestBed.settingsFor(port), ProxyTestBed.signedIn(identity),
        session -> false, clock);
    HttpClient client = bed.client(version);

    AtomicInteger events = new AtomicInteger();
    client.request(HttpMethod.GET, "/api/events").compose(request -> request.send())
        .onComplete(test.succeeding(response -> {
          response.exceptionHandler(failure -> test.failNow(new AssertionError("the answer was cut", failure)));
          response.endHandler(ended -> test.failNow("the answer ended"));
          response.handler(chunk -> {
            int n = events.incrementAndGet();
            if (n == 1) {
              clock.advance(Duration.ofMinutes(6));
            } else if (n == 1 + EVENTS_AFTER_EXPIRY) {
              test.completeNow();
            }
          });
        }));
  }
}
