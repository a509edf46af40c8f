package com.timereg.gateway.edge;

import io.vertx.core.http.HttpServerRequest;
import java.util.function.Predicate;
import java.util.regex.Pattern;

/** The optional plain-HTTP listener: every request is answered with a redirect to HTTPS. */
final class RedirectListener {
  // A host name or IPv4 literal, optionally with a port; anything else (IPv6 literals included)
  // is redirected to the configured fallback host rather than echoed into a Location header.
  private static final Pattern HOST = Pattern.compile("([A-Za-z0-9.-]{1,253})(:\\d{1,5})?");

  private RedirectListener() {}

  /**
   * @param allowsHost {@code public.allowed-hosts}: a host the public listener would refuse (400) is refused
   *     here too rather than put into a Location, so this listener never sends a browser to a host nobody
   *     configured (a Host header forged through a cache or a proxy in between)
   */
  static void handle(HttpServerRequest req, int httpsPort, String fallbackHost, Predicate<String> allowsHost) {
    String host = fallbackHost;
    String header = req.headers().get("Host");
    if (header != null) {
      if (!allowsHost.test(header)) {
        PublicRouter.json(req.response(), 400, "bad_request", "This host is not served here.");
        return;
      }
      var m = HOST.matcher(header);
      if (m.matches()) {
        host = m.group(1);
      }
    }
    String port = httpsPort == 443 ? "" : ":" + httpsPort;
    String uri = req.uri().startsWith("/") ? req.uri() : "/";
    // 308 keeps the method and body, so a POST sent in the clear is not silently turned into a GET.
    req.response().setStatusCode(308).putHeader("Location", "https://" + host + port + uri).end();
  }
}
