package com.timereg.gateway.edge;

import io.vertx.core.http.HttpServerRequest;
import java.nio.charset.StandardCharsets;
import java.util.function.Predicate;
import java.util.regex.Pattern;

/** The optional plain-HTTP listener: every request is answered with a redirect to HTTPS. */
final class RedirectListener {
  // A host name, an IPv4 literal or a bracketed IPv6 literal, optionally with a port; anything else is
  // never echoed into a Location header.
  private static final Pattern HOST = Pattern.compile("(\\[[0-9A-Fa-f:.]{2,45}\\]|[A-Za-z0-9.-]{1,253})(:\\d{1,5})?");

  private RedirectListener() {}

  /**
   * @param allowsHost {@code public.allowed-hosts}: a host the public listener would refuse (400) is refused
   *     here too rather than put into a Location, so this listener never sends a browser to a host nobody
   *     configured (a Host header forged through a cache or a proxy in between)
   * @param fallbackHost where a request without a usable Host goes (the first host of
   *     {@code public.allowed-hosts}), or null: then it is refused (400; RFC 9112 3.2 requires a Host), rather
   *     than sent to a host this listener guessed
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
    if (host == null) {
      PublicRouter.json(req.response(), 400, "bad_request", "A Host header naming this site is required.");
      return;
    }
    String port = httpsPort == 443 ? "" : ":" + httpsPort;
    String uri = req.uri().startsWith("/") ? safeTarget(req.uri()) : "/";
    // 308 keeps the method and body, so a POST sent in the clear is not silently turned into a GET. A permanent
    // redirect is cacheable by default, and browsers keep one without end: where it leads depends on settings
    // (http-redirect.https-port, the allowed hosts) that an operator may correct, and a browser holding the old
    // answer could never be sent elsewhere. Not stored, it is asked for again; HSTS keeps browsers on HTTPS.
    req.response().setStatusCode(308).putHeader("Location", "https://" + host + port + uri)
        .putHeader("Cache-Control", "no-store").end();
  }

  /**
   * The request target with every character a URI may not hold percent-encoded (RFC 3986: non-ASCII bytes,
   * controls, space, {@code "<>\\^`{|}}): raw, a control character made the answer fail (no answer, an error
   * with a stack trace in the log, for any request from the internet), and other bytes made a Location no
   * browser need accept. The request line's bytes arrive one character each.
   */
  static String safeTarget(String target) {
    StringBuilder out = null;
    for (int i = 0; i < target.length(); i++) {
      char c = target.charAt(i);
      boolean allowed = c > 0x20 && c < 0x7f && "\"<>\\^`{|}".indexOf(c) < 0;
      if (allowed) {
        if (out != null) {
          out.append(c);
        }
        continue;
      }
      if (out == null) {
        out = new StringBuilder(target.length() + 16).append(target, 0, i);
      }
      byte[] bytes = c <= 0xff ? new byte[] {(byte) c} : String.valueOf(c).getBytes(StandardCharsets.UTF_8);
      for (byte b : bytes) {
        out.append('%').append(HEX[(b >> 4) & 0xf]).append(HEX[b & 0xf]);
      }
    }
    return out == null ? target : out.toString();
  }

  private static final char[] HEX = "0123456789ABCDEF".toCharArray();
}
