package com.timereg.gateway.edge;

import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServer;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.junit5.VertxExtension;
import io.vertx.junit5.VertxTestContext;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.slf4j.LoggerFactory;

/**
 * The public router's answer to a failure nobody expected: a plain 500 to the client, and an ERROR line that
 * names the path only as far as its first segment, as every other plain log line of the public path does.
 */
@ExtendWith(VertxExtension.class)
class PublicRouterInternalErrorTest {
  private final ListAppender<ILoggingEvent> appender = new ListAppender<>();
  private final Logger logger = (Logger) LoggerFactory.getLogger(PublicRouter.class);

  @BeforeEach
  void listen() {
    appender.start();
    logger.addAppender(appender);
  }

  @AfterEach
  void stopListening() {
    logger.detachAppender(appender);
  }

  @Test
  void theErrorLineOfAnUnexpectedFailureDoesNotCarryTheDeeperPath(Vertx vertx, VertxTestContext test) {
    Router router = Router.router(vertx);
    router.route().handler(ctx -> {
      throw new IllegalStateException("a bug");
    });
    router.errorHandler(500, PublicRouter::internalError);
    HttpServer server = vertx.createHttpServer().requestHandler(router);
    HttpClient client = vertx.createHttpClient();
    // Django's password-reset link: the token is the third segment.
    String path = "/reset/MQ/c4ke5t-0123456789abcdef0123456789abcdef/";
    server.listen(0, "127.0.0.1")
        .compose(s -> client.request(HttpMethod.GET, s.actualPort(), "127.0.0.1", path))
        .compose(req -> req.send())
        .compose(resp -> resp.body().map(body -> {
          test.verify(() -> {
            assertThat(resp.statusCode()).isEqualTo(500);
            assertThat(new JsonObject(body).getString("error")).isEqualTo("internal_error");
            assertThat(body.toString()).doesNotContain("a bug").doesNotContain("c4ke5t");
          });
          return body;
        }))
        .onComplete(test.succeeding(body -> test.verify(() -> {
          synchronized (appender) {
            assertThat(appender.list).extracting(ILoggingEvent::getFormattedMessage)
                .anySatisfy(m -> assertThat(m).contains("GET /reset/..."))
                .noneSatisfy(m -> assertThat(m).contains("c4ke5t"));
          }
          test.completeNow();
        })));
  }
}
