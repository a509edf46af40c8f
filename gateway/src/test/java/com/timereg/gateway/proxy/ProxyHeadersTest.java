package com.timereg.gateway.proxy;

import static com.timereg.gateway.proxy.ProxyTestBed.ALICE;
import static com.timereg.gateway.proxy.ProxyTestBed.RESOLVED_CLIENT;
import static com.timereg.gateway.proxy.ProxyTestBed.await;
import static org.assertj.core.api.Assertions.assertThat;

import com.timereg.gateway.demo.DemoBackend;
import com.timereg.gateway.proxy.ProxyTestBed.Reply;
import io.vertx.core.MultiMap;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpVersion;
import io.vertx.core.http.RequestOptions;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.VertxExtension;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** What the backend receives through the proxy, over real TLS, HTTP/1.1 and HTTP/2. */
@ExtendWith(VertxExtension.class)
class ProxyHeadersTest {

  private int backendPort;
  private ProxyTestBed bed;

  @BeforeEach
  void startBackend(Vertx vertx) {
    backendPort = await(new DemoBackend(vertx, DemoBackend.Options.DEFAULTS).start("127.0.0.1", 0));
  }

  /** The backend's view of the request: every header it received, lower-cased, with all values. */
  private JsonObject backendSaw(HttpClient client, MultiMap headers) {
    Reply reply = bed.reply(() -> client.request(new RequestOptions()
            .setMethod(HttpMethod.GET).setURI("/api/headers").setHeaders(headers))
        .compose(request -> request.send()));
    assertThat(reply.status()).isEqualTo(200);
    return reply.body().toJsonObject();
  }

  private static JsonArray values(JsonObject seen, String name) {
    return seen.getJsonArray(name, new JsonArray());
  }

  @Test
  void backendSeesTheContextIdentityAndNeverTheClientsCopies(Vertx vertx) {
    bed = ProxyTestBed.start(vertx, ProxyTestBed.settingsFor(backendPort), ProxyTestBed.signedIn(ALICE));
    MultiMap spoofed = MultiMap.caseInsensitiveMultiMap()
        .add("X-Authenticated-User", "mallory")
        .add("x-authenticated-user", "eve")
        .add("x-authenticated-customer", "other-tenant")
        .add("X-Authenticated-Admin", "true");

    JsonObject seen = backendSaw(bed.client(HttpVersion.HTTP_1_1), spoofed);

    assertThat(values(seen, "x-authenticated-user")).containsExactly("alice@example.com");
    assertThat(values(seen, "x-authenticated-customer")).containsExactly("acme");
    assertThat(values(seen, "x-authenticated-method")).containsExactly("password");
    assertThat(seen.containsKey("x-authenticated-admin")).isFalse();
  }

  @Test
  void spoofedIdentityOverHttp2NeverReachesTheBackend(Vertx vertx) {
    bed = ProxyTestBed.start(vertx, ProxyTestBed.settingsFor(backendPort), ProxyTestBed.signedIn(ALICE));
    HttpClient h2 = bed.client(HttpVersion.HTTP_2);
    Reply reply = bed.reply(() -> h2.request(HttpMethod.GET, "/api/headers")
        .compose(request -> request.putHeader("x-authenticated-user", "mallory")
            .putHeader("x-authenticated-method", "sso").send()));
    JsonObject seen = reply.body().toJsonObject();

    assertThat(reply.response().version()).isEqualTo(HttpVersion.HTTP_2);
    assertThat(values(seen, "x-authenticated-user")).containsExactly("alice@example.com");
    assertThat(values(seen, "x-authenticated-method")).containsExactly("password");
  }

  @Test
  void publicPathRequestsReachTheBackendWithoutAnyIdentityHeader(Vertx vertx) {
    bed = ProxyTestBed.start(vertx, ProxyTestBed.settingsFor(backendPort), ProxyTestBed.publicPath());
    MultiMap spoofed = MultiMap.caseInsensitiveMultiMap()
        .add("X-Authenticated-User", "mallory").add("X-AUTHENTICATED-CUSTOMER", "acme");

    JsonObject seen = backendSaw(bed.client(HttpVersion.HTTP_1_1), spoofed);

    assertThat(seen.fieldNames()).noneMatch(name -> name.startsWith("x-authenticated-"));
  }

  @Test
  void forwardedForIsOnlyTheAddressTheGatewayResolved(Vertx vertx) {
    bed = ProxyTestBed.start(vertx, ProxyTestBed.settingsFor(backendPort), ProxyTestBed.signedIn(ALICE));
    MultiMap spoofed = MultiMap.caseInsensitiveMultiMap()
        .add("X-Forwarded-For", "203.0.113.99")
        .add("X-Forwarded-Proto", "http")
        .add("X-Forwarded-Host", "evil.example")
        .add("Forwarded", "for=203.0.113.99")
        .add("X-Real-IP", "203.0.113.99");

    JsonObject seen = backendSaw(bed.client(HttpVersion.HTTP_1_1), spoofed);

    assertThat(values(seen, "x-forwarded-for")).containsExactly(RESOLVED_CLIENT);
    assertThat(values(seen, "x-forwarded-proto")).containsExactly("https");
    assertThat(values(seen, "x-forwarded-host")).containsExactly("localhost:" + bed.port);
    assertThat(seen.containsKey("forwarded")).isFalse();
    assertThat(seen.containsKey("x-real-ip")).isFalse();
  }

  @Test
  void socketPeerIsForwardedWhenNoStepResolvedAnAddress(Vertx vertx) {
    bed = ProxyTestBed.start(vertx, ProxyTestBed.settingsFor(backendPort), rc -> {});

    JsonObject seen = backendSaw(bed.client(HttpVersion.HTTP_1_1),
        MultiMap.caseInsensitiveMultiMap().add("X-Forwarded-For", "203.0.113.99"));

    assertThat(values(seen, "x-forwarded-for")).containsExactly("127.0.0.1");
  }

  @Test
  void hopByHopRequestHeadersAreDropped(Vertx vertx) {
    bed = ProxyTestBed.start(vertx, ProxyTestBed.settingsFor(backendPort), ProxyTestBed.signedIn(ALICE));
    MultiMap hops = MultiMap.caseInsensitiveMultiMap()
        .add("Connection", "keep-alive, X-Client-Hop")
        .add("X-Client-Hop", "1")
        .add("Keep-Alive", "timeout=5")
        .add("TE", "trailers")
        .add("Proxy-Authorization", "Basic Zm9vOmJhcg==")
        .add("Proxy", "http://attacker.example")
        .add("X-End-To-End", "kept");

    JsonObject seen = backendSaw(bed.client(HttpVersion.HTTP_1_1), hops);

    assertThat(seen.fieldNames()).doesNotContain("x-client-hop", "keep-alive", "te", "proxy-authorization", "proxy");
    assertThat(values(seen, "connection")).doesNotContain("keep-alive, X-Client-Hop");
    assertThat(values(seen, "x-end-to-end")).containsExactly("kept");
  }

  @Test
  void gatewayCookiesAndTheGatewaysBearerTokenNeverReachTheBackend(Vertx vertx) {
    bed = ProxyTestBed.start(vertx, ProxyTestBed.settingsFor(backendPort), rc -> {
      ProxyTestBed.signedIn(ALICE).handle(rc);
      ProxyHints.markGatewayAuthorization(rc);
    });
    MultiMap credentials = MultiMap.caseInsensitiveMultiMap()
        .add("Cookie", "__Host-gw-session=access-token; csrftoken=abc; __Host-gw-refresh=refresh-token")
        .add("Authorization", "Bearer gateway-token");

    JsonObject seen = backendSaw(bed.client(HttpVersion.HTTP_1_1), credentials);

    // The demo backend shows cookie names only (1b94970); HeaderHygieneTest checks the values kept.
    assertThat(values(seen, "cookie")).containsExactly("csrftoken=…");
    assertThat(seen.containsKey("authorization")).isFalse();
  }

  @Test
  void anAuthorizationHeaderMeantForTheBackendPassesThrough(Vertx vertx) {
    bed = ProxyTestBed.start(vertx, ProxyTestBed.settingsFor(backendPort), ProxyTestBed.signedIn(ALICE));

    JsonObject seen = backendSaw(bed.client(HttpVersion.HTTP_1_1),
        MultiMap.caseInsensitiveMultiMap().add("Authorization", "Basic YXBwOmtleQ=="));

    assertThat(values(seen, "authorization")).containsExactly("Basic YXBwOmtleQ==");
  }

  @Test
  void backendHopByHopHeadersAndForgedGatewayCookiesNeverReachTheClient(Vertx vertx) {
    int port = await(vertx.createHttpServer().requestHandler(request -> {
          request.response().headers()
              .add("Set-Cookie", "__Host-gw-session=forged; Path=/; Secure")
              .add("Set-Cookie", "sessionid=app");
          request.response()
            .putHeader("Connection", "X-Backend-Hop")
            .putHeader("X-Backend-Hop", "secret")
            .putHeader("Keep-Alive", "timeout=5")
            .putHeader("Proxy-Authenticate", "Basic")
            .end("ok");
        })
        .listen(0, "127.0.0.1")).actualPort();
    bed = ProxyTestBed.start(vertx, ProxyTestBed.settingsFor(port), ProxyTestBed.signedIn(ALICE));

    Reply reply = bed.reply(() -> bed.client(HttpVersion.HTTP_1_1).request(HttpMethod.GET, "/")
        .compose(request -> request.send()));

    assertThat(reply.body().toString()).isEqualTo("ok");
    assertThat(reply.response().headers().names()).map(String::toLowerCase)
        .doesNotContain("x-backend-hop", "keep-alive", "proxy-authenticate");
    assertThat(reply.response().headers().getAll("set-cookie")).containsExactly("sessionid=app");
  }
}
