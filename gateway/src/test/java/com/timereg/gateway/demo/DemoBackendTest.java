package com.timereg.gateway.demo;

import static com.timereg.gateway.testsupport.Await.await;
import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.Context;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientResponse;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.WebSocketClient;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.VertxExtension;
import io.vertx.junit5.VertxTestContext;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import picocli.CommandLine;

@ExtendWith(VertxExtension.class)
class DemoBackendTest {

  private HttpClient client;
  private WebSocketClient webSocketClient;
  private int port;
  /** Client calls start on a Vert.x context; see {@code Await.await(Context, Supplier)}. */
  private Context context;

  private record Reply(HttpClientResponse response, Buffer body) {}

  private void start(Vertx vertx, DemoBackend.Options options) {
    port = await(new DemoBackend(vertx, options).start("127.0.0.1", 0));
    client = vertx.createHttpClient();
    context = vertx.getOrCreateContext();
  }

  private Reply call(HttpMethod method, String uri, String header, String value, Buffer body) {
    return await(context, () -> client.request(method, port, "127.0.0.1", uri).compose(request -> {
      if (header != null) {
        request.putHeader(header, value);
      }
      return body == null ? request.send() : request.send(body);
    }).compose(response -> response.body().map(b -> new Reply(response, b))));
  }

  @Test
  void meEchoesIdentityAndForwardedHeaders(Vertx vertx) {
    start(vertx, DemoBackend.Options.DEFAULTS);

    JsonObject me = call(HttpMethod.GET, "/api/me", "X-Authenticated-User", "alice", null).body().toJsonObject();

    assertThat(me.getString("user")).isEqualTo("alice");
    assertThat(me.getString("customer")).isNull();
    assertThat(me.getString("protocol")).isEqualTo("http/1.1");
    assertThat(call(HttpMethod.GET, "/api/me", "X-Forwarded-For", "198.51.100.7", null).body().toJsonObject()
        .getJsonObject("forwarded").getString("x-forwarded-for")).isEqualTo("198.51.100.7");
  }

  @Test
  void headersShowTheIdentityAndCookieNamesButNoCookieValue(Vertx vertx) {
    start(vertx, DemoBackend.Options.DEFAULTS);

    // What a browser sends to localhost: cookies of other local apps too (a cookie is not bound to a port), some
    // HttpOnly, which a page's script must not get to read through this echo.
    JsonObject seen = await(context, () -> client.request(HttpMethod.GET, port, "127.0.0.1", "/api/headers")
        .compose(request -> request.putHeader("X-Authenticated-User", "alice@demo.test")
            .putHeader("Cookie", "sessionid=s3cr3t-django-session; theme=dark").send())
        .compose(response -> response.body())).toJsonObject();

    assertThat(seen.getJsonArray("x-authenticated-user")).containsExactly("alice@demo.test");
    assertThat(seen.encode()).doesNotContain("s3cr3t-django-session").doesNotContain("dark");
    assertThat(seen.getJsonArray("cookie")).containsExactly("sessionid=…; theme=…");
  }

  @Test
  void homePageEscapesTheIdentityItShows(Vertx vertx) {
    start(vertx, DemoBackend.Options.DEFAULTS);

    String page = call(HttpMethod.GET, "/", "X-Authenticated-User", "<script>alert('x')</script>", null)
        .body().toString();

    assertThat(page).contains("&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt;").doesNotContain("<script>");
  }

  @Test
  void timesheetsAreListedForTheForwardedUser(Vertx vertx) {
    start(vertx, DemoBackend.Options.DEFAULTS);

    JsonObject sheets = call(HttpMethod.GET, "/api/timesheets", "X-Authenticated-User", "alice", null)
        .body().toJsonObject();

    assertThat(sheets.getString("user")).isEqualTo("alice");
    assertThat(sheets.getJsonArray("rows")).hasSize(3);
  }

  @Test
  void postedTimesheetsAreEchoedBack(Vertx vertx) {
    start(vertx, DemoBackend.Options.DEFAULTS);

    Reply reply = call(HttpMethod.POST, "/api/timesheets", "Content-Type", "application/json",
        Buffer.buffer("{\"hours\":7.5}"));

    assertThat(reply.body().toString()).isEqualTo("{\"hours\":7.5}");
    assertThat(reply.response().getHeader("Content-Type")).isEqualTo("application/json");
  }

  @Test
  void blobHasTheRequestedOrConfiguredSizeAndAKnownPattern(Vertx vertx) {
    start(vertx, new DemoBackend.Options(0, 1234));

    Buffer sized = call(HttpMethod.GET, "/api/blob?size=200000", null, null, null).body();
    Buffer configured = call(HttpMethod.GET, "/api/blob", null, null, null).body();

    assertThat(sized.length()).isEqualTo(200000);
    assertThat(BlobStream.matches(sized, 0)).isTrue();
    assertThat(configured.length()).isEqualTo(1234);
    assertThat(call(HttpMethod.GET, "/api/blob?size=-1", null, null, null).response().statusCode()).isEqualTo(400);
    assertThat(call(HttpMethod.GET, "/api/blob?size=lots", null, null, null).response().statusCode()).isEqualTo(400);
  }

  @Test
  void configuredLatencyDelaysEveryResponse(Vertx vertx) {
    start(vertx, new DemoBackend.Options(200, 10));
    long started = System.nanoTime();

    call(HttpMethod.GET, "/api/me", null, null, null);

    // A lower bound only: the timer must have run before the answer.
    assertThat(Duration.ofNanos(System.nanoTime() - started)).isGreaterThanOrEqualTo(Duration.ofMillis(200));
  }

  @Test
  void webSocketEchoesMessages(Vertx vertx, VertxTestContext test) {
    start(vertx, DemoBackend.Options.DEFAULTS);

    webSocketClient = vertx.createWebSocketClient();
    context.runOnContext(go -> webSocketClient.connect(port, "127.0.0.1", "/ws/echo").onComplete(test.succeeding(socket -> {
      socket.textMessageHandler(text -> test.verify(() -> {
        assertThat(text).isEqualTo("ping");
        test.completeNow();
      }));
      socket.writeTextMessage("ping");
    })));
  }

  @Test
  void webSocketPathAnswersAnHttp2RequestInsteadOfLeavingItOpen(Vertx vertx) {
    start(vertx, DemoBackend.Options.DEFAULTS);
    // h2c with prior knowledge: an HTTP/2 stream cannot become a WebSocket, so it must get an answer, not a hang.
    HttpClient h2 = vertx.createHttpClient(new io.vertx.core.http.HttpClientOptions()
        .setProtocolVersion(io.vertx.core.http.HttpVersion.HTTP_2).setHttp2ClearTextUpgrade(false));
    Reply reply = await(context, () -> h2.request(HttpMethod.GET, port, "127.0.0.1", "/ws/echo")
        .compose(request -> request.send())
        .compose(response -> response.body().map(b -> new Reply(response, b))));

    assertThat(reply.response().version()).isEqualTo(io.vertx.core.http.HttpVersion.HTTP_2);
    assertThat(reply.response().statusCode()).isEqualTo(400);
    // Plain HTTP/1.1 without the upgrade headers: Vert.x's own refusal still answers.
    assertThat(call(HttpMethod.GET, "/ws/echo", null, null, null).response().statusCode()).isEqualTo(400);
  }

  @Test
  void commandLineTakesPortHostLatencyAndSize() {
    DemoBackendCommand command = new DemoBackendCommand();
    new CommandLine(command).parseArgs("--port", "0", "--host", "::1", "--latency-ms", "25",
        "--response-bytes", "4096");

    assertThat(command.port).isZero();
    assertThat(command.host).isEqualTo("::1");
    assertThat(command.latencyMs).isEqualTo(25);
    assertThat(command.responseBytes).isEqualTo(4096);
  }

  @Test
  void commandLineRefusesANegativeLatencyOrSizeWithAUsageMessageNotAStackTrace() {
    for (String[] args : List.of(new String[] {"--port", "0", "--latency-ms", "-1"},
        new String[] {"--port", "0", "--response-bytes", "-5"})) {
      java.io.StringWriter err = new java.io.StringWriter();
      DemoBackendCommand command = new DemoBackendCommand();
      int exit = new CommandLine(command).setErr(new java.io.PrintWriter(err, true)).execute(args);

      assertThat(exit).as(err.toString()).isEqualTo(CommandLine.ExitCode.USAGE);
      assertThat(command.started()).isFalse();
      assertThat(err.toString()).contains(args[2]).doesNotContain("Exception").doesNotContain("\tat ");
    }
  }
}
