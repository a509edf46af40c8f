package com.timereg.gateway.loadtest;

import static io.gatling.javaapi.http.HttpDsl.http;

import io.gatling.javaapi.http.HttpProtocolBuilder;
import java.net.URI;

/**
 * The gateway under test: {@code -DbaseUrl} (default {@code https://127.0.0.1:8443}, the dev
 * mode's listener) and {@code -Dhttp2=true} to speak HTTP/2 over ALPN instead of HTTP/1.1.
 *
 * <p>The default is the IPv4 literal rather than {@code localhost}: Gatling binds a virtual user
 * to a pool address of the target's family, so with an IPv4 pool and a target that resolves to
 * {@code ::1} every user would silently come from the same address.
 *
 * <p>TLS: Gatling trusts every server certificate by default ({@code useInsecureTrustManager} in
 * gatling-defaults.conf), which the dev mode's self-signed certificate needs and which costs
 * nothing in a load test. To verify a real deployment's certificate too, add
 * {@code -Dgatling.jvmArgs=-Dgatling.ssl.useInsecureTrustManager=false} (the host name is then
 * checked too: gatling.conf switches that on); gatling-maven-plugin
 * passes no {@code gatling.*} system property on to the JVM it forks, so the property given
 * directly to Maven would be silently ignored.
 */
record Target(String baseUrl, boolean http2) {
  static final String DEFAULT_URL = "https://127.0.0.1:8443";

  static Target fromSystemProperties() {
    String url = Params.string("baseUrl", DEFAULT_URL);
    // Checked before any traffic: a URL the simulations cannot use would fail every request of the run, which
    // then reports the gateway as broken. User info is not printed back.
    String shown = url.replaceAll("(?<=//)[^/?#]*@", "...@");
    URI uri;
    try {
      uri = new URI(url);
    } catch (java.net.URISyntaxException e) {
      throw new IllegalArgumentException("-DbaseUrl is not a URL, was " + shown);
    }
    String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(java.util.Locale.ROOT);
    if (!(scheme.equals("https") || scheme.equals("http")) || uri.getHost() == null || uri.getRawUserInfo() != null
        || uri.getRawQuery() != null || uri.getRawFragment() != null
        || (uri.getPath() != null && !uri.getPath().isEmpty() && !uri.getPath().equals("/"))) {
      throw new IllegalArgumentException("-DbaseUrl must be https://host[:port] (or http://) without user info, a path,"
          + " a query or a fragment, was " + shown);
    }
    return new Target(url.endsWith("/") ? url.substring(0, url.length() - 1) : url, Params.flag("http2", false));
  }

  /** The protocol every scenario starts from; {@code pool} decides the client addresses. */
  HttpProtocolBuilder protocol(ClientPool pool) {
    HttpProtocolBuilder p = http.baseUrl(baseUrl)
        .acceptHeader("application/json")
        .acceptEncodingHeader("gzip, deflate")
        .userAgentHeader("gateway-load-tests (Gatling)")
        // Gatling's warm-up request goes to an address on the internet by default: never wanted
        // here, and the only traffic a load test may send is to the target.
        .disableWarmUp();
    if (http2) {
      p = p.enableHttp2();
    }
    return pool.applyTo(p);
  }
}
