package com.timereg.gateway.config;

import com.timereg.gateway.proxy.ProxySettings;
import com.timereg.gateway.sso.SsoSettings;
import com.timereg.gateway.throttle.ThrottlePolicy;
import java.net.URI;
import java.time.Duration;
import java.util.Locale;

/** Settings each within its range that do not fit the public listener's: checked once, with the rest. */
final class ListenerConsistency {
  private ListenerConsistency() {}

  static void check(ConfigReader r, ListenerSettings pub, ProxySettings backend, ThrottlePolicy throttle) {
    // The idle timeout counts silence on the connection, and a request kept waiting is silence: Vert.x closes the
    // connection unanswered, so a held login is a broken page rather than a slow one, and the documented 504 never
    // leaves. Whatever the gateway makes a request wait must end before it.
    Duration idle = pub.idleTimeout();
    if (throttle.accountMaxDelay().compareTo(idle) >= 0) {
      r.problem("throttle.account-max-delay", "must be shorter than public.idle-timeout (" + idle + "), got "
          + throttle.accountMaxDelay() + ": a login held this long would have its connection closed unanswered");
    }
    // The response timeout starts once the request is forwarded; before it, a request waits up to connect-timeout
    // for a connection (a free one in the pool, or a new one and its TLS handshake), silent all the same.
    Duration backendWait = backend.connectTimeout().plus(backend.responseTimeout());
    if (backendWait.compareTo(idle) >= 0) {
      r.problem("backend.response-timeout", "with backend.connect-timeout (" + backend.connectTimeout() + "), must be"
          + " shorter than public.idle-timeout (" + idle + "), got " + backend.responseTimeout() + " (" + backendWait
          + " in all): the connection would be closed unanswered before the 504");
    }
    if (pub.port() != 0 && isPublicListener(backend.backend(), pub)) {
      // Public paths need no session: each proxied request would come back and be proxied again, until the
      // backend pool and its wait queue are full and every request waits for the response timeout.
      r.problem("backend.url", "names this gateway's own public listener (public.host " + pub.host()
          + ", public.port " + pub.port() + "): every proxied request would come back to be proxied again;"
          + " give the application server's address");
    }
  }

  /**
   * The longest a sign-in's callback may wait on the provider, one step after the other: reading the client secret,
   * the discovery document and the key set (each within {@code sso.discovery-timeout}, when the provider is not
   * cached), the code exchange ({@code sso.token-timeout}), and the key set read again after a refused ID token.
   */
  static Duration callbackWait(SsoSettings sso) {
    return sso.discoveryTimeout().multipliedBy(4).plus(sso.tokenTimeout());
  }

  /**
   * Only where Microsoft sign-in is set up: without {@code sso.public-base-url} a production gateway answers every
   * callback not_configured at once, and dev mode (which makes one up for localhost) is for local use.
   */
  static void checkSso(ConfigReader r, ListenerSettings pub, SsoSettings sso) {
    if (sso.publicBaseUrl().isEmpty()) {
      return;
    }
    Duration idle = pub.idleTimeout();
    Duration wait = callbackWait(sso);
    if (wait.compareTo(idle) >= 0) {
      r.problem("sso.discovery-timeout", "with sso.token-timeout, must leave a sign-in's callback shorter than"
          + " public.idle-timeout (" + idle + "): 4 x " + sso.discoveryTimeout() + " (secret, discovery document, key"
          + " set, key set again after a refused token) + " + sso.tokenTimeout() + " (code exchange) = " + wait
          + ", and a callback kept waiting this long would have its connection closed unanswered");
    }
  }

  /** Whether {@code url} reaches the listener: its port, and its host or loopback where the listener takes that. */
  private static boolean isPublicListener(URI url, ListenerSettings pub) {
    int port = url.getPort() >= 0 ? url.getPort() : "https".equals(url.getScheme()) ? 443 : 80;
    if (url.getHost() == null || port != pub.port()) {
      return false;
    }
    String host = bare(url.getHost());
    String listener = bare(pub.host());
    return host.equals(listener)
        || loopback(host) && (loopback(listener) || listener.equals("0.0.0.0") || listener.equals("::"));
  }

  private static String bare(String host) {
    String h = host.toLowerCase(Locale.ROOT);
    return h.startsWith("[") && h.endsWith("]") ? h.substring(1, h.length() - 1) : h;
  }

  private static boolean loopback(String host) {
    return host.equals("localhost") || host.startsWith("127.") || host.equals("::1") || host.equals("0:0:0:0:0:0:0:1");
  }
}
