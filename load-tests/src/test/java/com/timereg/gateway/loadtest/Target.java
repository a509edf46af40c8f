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
 * directly to Maven would be silently ignored. Against another machine than this one the run stops before any
 * traffic unless certificates are verified ({@link #refuseBlindTrust}).
 */
record Target(String baseUrl, boolean http2) {
  static final String DEFAULT_URL = "https://127.0.0.1:8443";
  /** Gatling's setting; {@code true} (its default) trusts every server certificate without a look. */
  static final String INSECURE_TRUST = "gatling.ssl.useInsecureTrustManager";
  /** localhost and ::1 as written in a URL ({@code [::1]}, {@code [0:0:0:0:0:0:0:1]}); 127.0.0.0/8 is checked apart. */
  private static final java.util.regex.Pattern LOOPBACK_NAME =
      java.util.regex.Pattern.compile("(?i)localhost|\\[(0{0,4}:){2,7}0{0,3}1\\]");

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
    refuseBlindTrust(uri, scheme, shown);
    return new Target(url.endsWith("/") ? url.substring(0, url.length() - 1) : url, Params.flag("http2", false));
  }

  /**
   * Stops a run against another machine that would not verify whom it talks to: it logs in with the accounts of
   * {@code -Dcredentials}, and Gatling's default trust manager (or plain HTTP) hands their passwords to any man in
   * the middle, in a run that reports nothing wrong. This machine's own gateway (the dev mode's self-signed
   * certificate, a stub) may be trusted blindly: nothing on the way can listen in.
   */
  private static void refuseBlindTrust(URI uri, String scheme, String shown) {
    if (isThisMachine(uri.getHost())) {
      return;
    }
    if (!scheme.equals("https")) {
      throw new IllegalArgumentException("-DbaseUrl " + shown + " is another machine: it must be https, plain http"
          + " would send the accounts' passwords in clear");
    }
    if (gatlingTrustsAnyCertificate()) {
      throw new IllegalArgumentException("-DbaseUrl " + shown + " is another machine, and Gatling trusts any"
          + " certificate by default, so a man in the middle would get the accounts' passwords; add"
          + " -Dgatling.jvmArgs=-D" + INSECURE_TRUST + "=false (with -Djavax.net.ssl.trustStore=... for a private"
          + " CA; README.md, \"Load tests\", TLS)");
    }
  }

  static boolean isThisMachine(String host) {
    if (LOOPBACK_NAME.matcher(host).matches()) {
      return true;
    }
    try {
      return SourceAddresses.toInt(host) >>> 24 == 127;
    } catch (IllegalArgumentException e) {
      return false;
    }
  }

  /** Gatling's own reading: system properties over gatling.conf over gatling-defaults.conf. */
  private static boolean gatlingTrustsAnyCertificate() {
    ClassLoader loader = Target.class.getClassLoader();
    return com.typesafe.config.ConfigFactory.parseProperties(System.getProperties())
        .withFallback(com.typesafe.config.ConfigFactory.parseResources(loader,
            System.getProperty("gatling.conf.file", "gatling.conf")))
        .withFallback(com.typesafe.config.ConfigFactory.parseResources(loader, "gatling-defaults.conf"))
        .resolve()
        .getBoolean(INSECURE_TRUST);
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
