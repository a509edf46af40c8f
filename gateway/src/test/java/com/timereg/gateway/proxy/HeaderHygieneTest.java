package com.timereg.gateway.proxy;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.MultiMap;
import java.util.List;
import org.junit.jupiter.api.Test;

class HeaderHygieneTest {

  private static final ForwardedIdentity ALICE = new ForwardedIdentity("alice@example.com", "acme", "password");
  private static final String PREFIX = ProxySettings.DEFAULT_GATEWAY_COOKIE_PREFIX;

  private static HeaderHygiene.Forwarding forwarding(ForwardedIdentity identity, boolean dropAuthorization,
      boolean webSocket) {
    return new HeaderHygiene.Forwarding("198.51.100.7", "https", "app.example.com", identity, dropAuthorization,
        webSocket);
  }

  private static MultiMap toBackend(MultiMap client, HeaderHygiene.Forwarding forwarding) {
    MultiMap out = MultiMap.caseInsensitiveMultiMap();
    HeaderHygiene.toBackend(client, out, forwarding, PREFIX);
    return out;
  }

  @Test
  void replacesSpoofedIdentityHeadersInAnyCaseWithTheContextIdentity() {
    MultiMap client = MultiMap.caseInsensitiveMultiMap()
        .add("X-Authenticated-User", "mallory")
        .add("x-authenticated-user", "eve")
        .add("X-AUTHENTICATED-CUSTOMER", "other-tenant")
        .add("x-Authenticated-Role", "admin");

    MultiMap out = toBackend(client, forwarding(ALICE, false, false));

    assertThat(out.getAll("x-authenticated-user")).containsExactly("alice@example.com");
    assertThat(out.getAll("x-authenticated-customer")).containsExactly("acme");
    assertThat(out.getAll("x-authenticated-method")).containsExactly("password");
    assertThat(out.contains("x-authenticated-role")).isFalse();
  }

  @Test
  void removesClientIdentityHeadersWhenNoIdentityIsKnown() {
    MultiMap client = MultiMap.caseInsensitiveMultiMap().add("X-Authenticated-User", "mallory");

    MultiMap out = toBackend(client, forwarding(null, false, false));

    assertThat(out.names()).noneMatch(name -> name.toLowerCase().startsWith("x-authenticated-"));
  }

  @Test
  void forwardingHeadersCarryOnlyWhatTheGatewayResolved() {
    MultiMap client = MultiMap.caseInsensitiveMultiMap()
        .add("X-Forwarded-For", "10.0.0.1, 1.2.3.4")
        .add("x-forwarded-proto", "http")
        .add("X-Forwarded-Host", "evil.example")
        .add("X-Forwarded-Prefix", "/admin")
        .add("Forwarded", "for=1.2.3.4;proto=http")
        .add("X-Real-IP", "1.2.3.4")
        .add("True-Client-IP", "1.2.3.4")
        .add("X-Original-URL", "/admin/secret");

    MultiMap out = toBackend(client, forwarding(ALICE, false, false));

    assertThat(out.getAll("x-forwarded-for")).containsExactly("198.51.100.7");
    assertThat(out.getAll("x-forwarded-proto")).containsExactly("https");
    assertThat(out.getAll("x-forwarded-host")).containsExactly("app.example.com");
    assertThat(out.names()).map(String::toLowerCase)
        .doesNotContain("x-forwarded-prefix", "forwarded", "x-real-ip", "true-client-ip", "x-original-url");
  }

  /**
   * django-ipware (which django-axes uses) reads, after X-Forwarded-For, Client-IP, X-Forwarded, Forwarded-For,
   * Fastly-Client-IP and Via, and prefers a routable address found there to a private one in X-Forwarded-For:
   * a client with an office or VPN address could name any address it likes to the backend.
   */
  @Test
  void addressClaimsDjangoIpwareReadsNeverReachTheBackend() {
    MultiMap client = MultiMap.caseInsensitiveMultiMap()
        .add("Client-IP", "203.0.113.1")
        .add("X-Forwarded", "for=203.0.113.2")
        .add("Forwarded-For", "203.0.113.3")
        .add("Fastly-Client-IP", "203.0.113.4")
        .add("Via", "203.0.113.5")
        .add("Client_IP", "203.0.113.6");

    MultiMap out = toBackend(client, forwarding(ALICE, false, false));

    assertThat(out.names()).map(String::toLowerCase)
        .doesNotContain("client-ip", "x-forwarded", "forwarded-for", "fastly-client-ip", "via", "client_ip");
    assertThat(out.getAll("x-forwarded-for")).containsExactly("198.51.100.7");
  }

  /**
   * WSGI (and CGI) servers turn a header name into an environment key by replacing '-' with '_'
   * (PEP 3333): {@code X_Authenticated_User} is Django's {@code HTTP_X_AUTHENTICATED_USER}, the key the
   * gateway's own header becomes. On a public path, where the gateway sends no identity, such a copy was
   * the only one the backend saw; beside the gateway's, gunicorn joined the two values.
   */
  @Test
  void removesIdentityAndForwardingClaimsSpelledWithUnderscores() {
    MultiMap client = MultiMap.caseInsensitiveMultiMap()
        .add("X_Authenticated_User", "mallory")
        .add("x-authenticated_customer", "other-tenant")
        .add("X_FORWARDED_FOR", "203.0.113.99")
        .add("X-Forwarded_Host", "evil.example")
        .add("X_Real_IP", "203.0.113.99")
        .add("True_Client_IP", "203.0.113.99")
        .add("X_Original_URL", "/admin/secret")
        .add("Proxy_Authorization", "Basic c2VjcmV0")
        .add("X_Request_Id", "kept");

    for (ForwardedIdentity identity : new ForwardedIdentity[] {ALICE, null}) {
      MultiMap out = toBackend(client, forwarding(identity, false, false));

      assertThat(out.names()).filteredOn(name -> name.contains("_")).containsExactly("X_Request_Id");
      assertThat(out.get("X_Request_Id")).isEqualTo("kept");
      assertThat(out.getAll("x-forwarded-for")).containsExactly("198.51.100.7");
    }
  }

  @Test
  void dropsHopByHopHeadersAndThoseTheConnectionHeaderNames() {
    MultiMap client = MultiMap.caseInsensitiveMultiMap()
        .add("Connection", "keep-alive, X-Hop")
        .add("connection", "X-Other-Hop")
        .add("X-Hop", "1")
        .add("X-Other-Hop", "1")
        .add("Keep-Alive", "timeout=5")
        .add("TE", "trailers")
        .add("Trailer", "Expires")
        .add("Transfer-Encoding", "chunked")
        .add("Upgrade", "h2c")
        .add("HTTP2-Settings", "AAMAAABkAAQCAAAAAAIAAAAA")
        .add("Proxy-Authorization", "Basic Zm9vOmJhcg==")
        .add("Proxy-Connection", "keep-alive")
        .add("Proxy", "http://attacker.example:8080")
        .add("Accept", "application/json");

    MultiMap out = toBackend(client, forwarding(ALICE, false, false));

    assertThat(out.names()).map(String::toLowerCase)
        .doesNotContain("connection", "x-hop", "x-other-hop", "keep-alive", "te", "trailer", "transfer-encoding",
            "upgrade", "http2-settings", "proxy-authorization", "proxy-connection", "proxy");
    assertThat(out.get("accept")).isEqualTo("application/json");
  }

  @Test
  void aClientCannotNominateTheGatewaysOwnHeadersAway() {
    MultiMap client = MultiMap.caseInsensitiveMultiMap()
        .add("Connection", "X-Authenticated-User, X-Forwarded-For");

    MultiMap out = toBackend(client, forwarding(ALICE, false, false));

    assertThat(out.get("x-authenticated-user")).isEqualTo("alice@example.com");
    assertThat(out.get("x-forwarded-for")).isEqualTo("198.51.100.7");
  }

  @Test
  void keepsTheUpgradeHandshakeForWebSockets() {
    MultiMap client = MultiMap.caseInsensitiveMultiMap()
        .add("Connection", "keep-alive, Upgrade")
        .add("Upgrade", "websocket")
        .add("Sec-WebSocket-Key", "dGhlIHNhbXBsZSBub25jZQ==")
        .add("Sec-WebSocket-Version", "13");

    MultiMap out = toBackend(client, forwarding(ALICE, false, true));

    assertThat(out.get("upgrade")).isEqualTo("websocket");
    assertThat(out.getAll("connection")).containsExactly("Upgrade");
    assertThat(out.get("sec-websocket-key")).isEqualTo("dGhlIHNhbXBsZSBub25jZQ==");
  }

  @Test
  void stripsGatewayCookiesWhateverTheirCaseAndJoinsTheRest() {
    MultiMap client = MultiMap.caseInsensitiveMultiMap()
        .add("Cookie", "__Host-gw-session=token1; csrftoken=abc")
        .add("cookie", " __HOST-GW-refresh=token2;sessionid=xyz; ");

    MultiMap out = toBackend(client, forwarding(ALICE, false, false));

    assertThat(out.getAll("cookie")).containsExactly("csrftoken=abc; sessionid=xyz");
  }

  @Test
  void dropsTheCookieHeaderWhenOnlyGatewayCookiesWereSent() {
    MultiMap client = MultiMap.caseInsensitiveMultiMap().add("Cookie", "__Host-gw-session=token1");

    assertThat(toBackend(client, forwarding(ALICE, false, false)).contains("cookie")).isFalse();
  }

  @Test
  void dropsAuthorizationOnlyWhenItCarriedTheGatewaysToken() {
    MultiMap client = MultiMap.caseInsensitiveMultiMap().add("Authorization", "Bearer gw-token");

    assertThat(toBackend(client, forwarding(ALICE, true, false)).contains("authorization")).isFalse();
    assertThat(toBackend(client, forwarding(ALICE, false, false)).get("authorization")).isEqualTo("Bearer gw-token");
  }

  @Test
  void leavesFramingHostAndExpectToTheForwarder() {
    MultiMap client = MultiMap.caseInsensitiveMultiMap()
        .add("Host", "app.example.com")
        .add("Content-Length", "12")
        .add("Expect", "100-continue");

    assertThat(toBackend(client, forwarding(ALICE, false, false)).names()).map(String::toLowerCase)
        .doesNotContain("host", "content-length", "expect");
  }

  @Test
  void responseLosesHopByHopHeadersAndGatewayCookies() {
    MultiMap backend = MultiMap.caseInsensitiveMultiMap()
        .add("Connection", "close, X-Backend-Hop")
        .add("X-Backend-Hop", "1")
        .add("Keep-Alive", "timeout=5")
        .add("Transfer-Encoding", "chunked")
        .add("Content-Length", "10")
        .add("Proxy-Authenticate", "Basic")
        .add("Upgrade", "h2c")
        .add("Set-Cookie", "__Host-gw-session=forged; Path=/; Secure")
        .add("Set-Cookie", "sessionid=app; Path=/")
        .add("Content-Type", "text/plain");
    MultiMap out = MultiMap.caseInsensitiveMultiMap();

    HeaderHygiene.toClient(backend, out, false, PREFIX);

    assertThat(out.names()).map(String::toLowerCase)
        .containsExactlyInAnyOrder("set-cookie", "content-type");
    assertThat(out.getAll("set-cookie")).containsExactly("sessionid=app; Path=/");
  }

  /**
   * A cookie without a name whose value looks like a gateway cookie ({@code =__Host-gw-access=x}) is sent back by
   * browsers that accept it as {@code __Host-gw-access=x}, beside or ahead of the real one (RFC 6265bis 5.7 has
   * browsers refuse it, older ones do not): the backend may not plant it either.
   */
  @Test
  void backendMayNotPlantANamelessCookieThatReadsAsTheGatewaysOwn() {
    MultiMap backend = MultiMap.caseInsensitiveMultiMap()
        .add("Set-Cookie", "=__Host-gw-access=forged; Path=/app; Secure")
        .add("Set-Cookie", " = __host-GW-refresh=forged; Path=/; Secure")
        .add("Set-Cookie", "=plain; Path=/");
    MultiMap out = MultiMap.caseInsensitiveMultiMap();

    HeaderHygiene.toClient(backend, out, false, PREFIX);

    assertThat(out.getAll("set-cookie")).containsExactly("=plain; Path=/");
  }

  @Test
  void switchingProtocolsResponseKeepsItsUpgrade() {
    MultiMap backend = MultiMap.caseInsensitiveMultiMap()
        .add("Connection", "upgrade")
        .add("Upgrade", "websocket")
        .add("Sec-WebSocket-Accept", "s3pPLMBiTxaQ9kYGzzhZRbK+xOo=");
    MultiMap out = MultiMap.caseInsensitiveMultiMap();

    HeaderHygiene.toClient(backend, out, true, PREFIX);

    assertThat(out.get("upgrade")).isEqualTo("websocket");
    assertThat(out.get("connection")).isEqualTo("Upgrade");
    assertThat(out.get("sec-websocket-accept")).isEqualTo("s3pPLMBiTxaQ9kYGzzhZRbK+xOo=");
  }

  @Test
  void identityValuesOutsideVisibleAsciiArePercentEncoded() {
    assertThat(HeaderHygiene.headerSafe("alice@example.com")).isEqualTo("alice@example.com");
    assertThat(HeaderHygiene.headerSafe("jürgen")).isEqualTo("j%C3%BCrgen");
    assertThat(HeaderHygiene.headerSafe("a b\r\nX-Evil: 1")).isEqualTo("a%20b%0D%0AX-Evil:%201");
    assertThat(HeaderHygiene.headerSafe("100%")).isEqualTo("100%25");
  }

  @Test
  void connectionTokensAreCollectedFromEveryConnectionHeader() {
    MultiMap headers = MultiMap.caseInsensitiveMultiMap().add("Connection", "A, b").add("connection", " C ,,");

    assertThat(HeaderHygiene.connectionTokens(headers)).containsExactlyInAnyOrder("a", "b", "c");
    assertThat(HeaderHygiene.withoutGatewayCookies(List.of(), PREFIX)).isNull();
  }

  @Test
  void anAsciiTargetIsLeftAloneAndOtherOctetsArePercentEncoded() {
    assertThat(Exchange.asciiTarget("/api/x?q=a%20b&r=/..;")).isEqualTo("/api/x?q=a%20b&r=/..;");
    assertThat(Exchange.asciiTarget("/s\u00f8g?q=caf\u00c3\u00a9")).isEqualTo("/s%F8g?q=caf%C3%A9");
    assertThat(Exchange.asciiTarget("/x?q=\u20ac")).isEqualTo("/x?q=%E2%82%AC");
  }

  /** Every header that must not reach the backend, in three spellings each, beside look-alikes that must. */
  @Test
  void everyDroppedRequestHeaderIsDroppedInAnyCaseAndItsLookAlikesAreNot() {
    List<String> dropped = List.of("connection", "keep-alive", "te", "trailer", "transfer-encoding", "upgrade",
        "http2-settings", "forwarded", "x-real-ip", "true-client-ip", "x-client-ip", "x-cluster-client-ip",
        "cf-connecting-ip", "client-ip", "x-forwarded", "forwarded-for", "fastly-client-ip", "via", "x-original-url",
        "x-rewrite-url", "host", "content-length", "expect", "proxy-anything", "x-forwarded-anything",
        "x-authenticated-anything");
    List<String> kept = List.of("tea", "t", "hosts", "expected", "connections", "x-real-ipv6", "forwarded-fore",
        "x-forwardedx", "client-ipv6", "vias", "x-authenticated", "prox", "content-type", "accept");
    for (String name : dropped) {
      for (String spelling : List.of(name, name.toUpperCase(java.util.Locale.ROOT), capitalised(name))) {
        MultiMap out = toBackend(MultiMap.caseInsensitiveMultiMap().add(spelling, "v"), forwarding(ALICE, false, false));
        assertThat(out.names()).as(spelling).noneMatch(n -> n.equals(spelling));
      }
    }
    for (String name : kept) {
      String spelling = capitalised(name);
      MultiMap out = toBackend(MultiMap.caseInsensitiveMultiMap().add(spelling, "v"), forwarding(ALICE, false, false));
      assertThat(out.getAll(spelling)).as(spelling).containsExactly("v");
    }
  }

  @Test
  void everyHopByHopResponseHeaderIsDroppedInAnyCase() {
    for (String name : List.of("Connection", "KEEP-ALIVE", "Te", "tRAILER", "Transfer-Encoding", "UPGRADE",
        "Http2-Settings", "Proxy-Authenticate", "Content-Length")) {
      MultiMap out = MultiMap.caseInsensitiveMultiMap();
      HeaderHygiene.toClient(MultiMap.caseInsensitiveMultiMap().add(name, "v").add("Content-Type", "text/plain"),
          out, false, PREFIX);
      assertThat(out.names()).as(name).containsExactly("Content-Type");
    }
  }

  private static String capitalised(String name) {
    StringBuilder b = new StringBuilder(name.length());
    boolean start = true;
    for (char c : name.toCharArray()) {
      b.append(start ? Character.toUpperCase(c) : c);
      start = c == '-';
    }
    return b.toString();
  }
}
