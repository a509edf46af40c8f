package com.timereg.gateway.proxy;

import io.netty.util.AsciiString;
import io.vertx.core.MultiMap;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * Which headers cross the gateway, in both directions. Pure functions over header maps, so every rule is
 * unit-tested without sockets.
 *
 * <p>Order matters: client headers are filtered first (including anything the client's own
 * {@code Connection} header nominates), and only then are the gateway's headers added, so a client cannot
 * use {@code Connection: X-Authenticated-User} or a spoofed copy to influence what the backend trusts.
 */
final class HeaderHygiene {

  // AsciiString: its case-insensitive hash, which every header map computes for a name, is kept with it.
  static final AsciiString X_FORWARDED_FOR = AsciiString.cached("X-Forwarded-For");
  static final AsciiString X_FORWARDED_PROTO = AsciiString.cached("X-Forwarded-Proto");
  static final AsciiString X_FORWARDED_HOST = AsciiString.cached("X-Forwarded-Host");
  static final AsciiString X_AUTHENTICATED_USER = AsciiString.cached("X-Authenticated-User");
  static final AsciiString X_AUTHENTICATED_CUSTOMER = AsciiString.cached("X-Authenticated-Customer");
  static final AsciiString X_AUTHENTICATED_METHOD = AsciiString.cached("X-Authenticated-Method");

  /** Connection-scoped (RFC 9110 7.6.1) plus h2c's upgrade header; never forwarded in either direction. */
  private static final Set<String> HOP_BY_HOP = Set.of(
      "connection", "keep-alive", "te", "trailer", "transfer-encoding", "upgrade", "http2-settings");

  /**
   * Client-address and URL-override claims some frameworks honour; only the gateway may make such claims.
   * Client-IP, X-Forwarded, Forwarded-For, Fastly-Client-IP and Via are on django-ipware's list (django-axes uses
   * it), which takes a routable address from any of them over a private one in X-Forwarded-For.
   * X-Original-URL and X-Rewrite-URL matter because the router decides public paths on the URL it sees.
   */
  private static final Set<String> CLIENT_CLAIMS = Set.of(
      "forwarded", "x-real-ip", "true-client-ip", "x-client-ip", "x-cluster-client-ip", "cf-connecting-ip",
      "client-ip", "x-forwarded", "forwarded-for", "fastly-client-ip", "via", "x-original-url", "x-rewrite-url");

  /** Request headers never forwarded (Host, Content-Length and Expect are the forwarder's; Cookie is rebuilt). */
  private static final Set<String> REQUEST_DROPPED;

  static {
    Set<String> dropped = new HashSet<>(HOP_BY_HOP);
    dropped.addAll(CLIENT_CLAIMS);
    dropped.addAll(List.of("host", "content-length", "expect", "cookie"));
    REQUEST_DROPPED = Set.copyOf(dropped);
  }

  private static final String[][] REQUEST_DROPPED_BY_INITIAL = byInitial(REQUEST_DROPPED);
  private static final String[][] HOP_BY_HOP_BY_INITIAL = byInitial(HOP_BY_HOP);

  private HeaderHygiene() {}

  /** What the gateway asserts about one request. */
  record Forwarding(
      String clientAddress,
      String proto,
      String host,
      ForwardedIdentity identity,
      boolean dropAuthorization,
      boolean webSocket) {}

  /**
   * Copies the client's request headers that may reach the backend into {@code to}, then adds the
   * gateway's forwarding and identity headers. Host, Content-Length and Transfer-Encoding are left to the
   * forwarder, which derives them from the parsed request.
   */
  static void toBackend(MultiMap from, MultiMap to, Forwarding forwarding, String gatewayCookiePrefix) {
    Set<String> nominated = connectionTokens(from);
    for (Map.Entry<String, String> header : from) {
      if (keepRequestHeader(header.getKey(), nominated, forwarding)) {
        to.add(header.getKey(), header.getValue());
      }
    }
    String cookies = withoutGatewayCookies(from.getAll("cookie"), gatewayCookiePrefix);
    if (cookies != null && !nominated.contains("cookie")) {
      to.set("Cookie", cookies);
    }
    to.set(X_FORWARDED_FOR, forwarding.clientAddress());
    to.set(X_FORWARDED_PROTO, forwarding.proto());
    if (forwarding.host() != null) {
      to.set(X_FORWARDED_HOST, forwarding.host());
    }
    ForwardedIdentity identity = forwarding.identity();
    if (identity != null) {
      to.set(X_AUTHENTICATED_USER, headerSafe(identity.user()));
      to.set(X_AUTHENTICATED_CUSTOMER, headerSafe(identity.customer()));
      to.set(X_AUTHENTICATED_METHOD, headerSafe(identity.method()));
    }
    if (forwarding.webSocket()) {
      to.set("Connection", "Upgrade");
    }
  }

  /**
   * Copies the backend's response headers that may reach the client into {@code to}. Content-Length is
   * left to the forwarder. A backend may not set or clear the gateway's own cookies.
   */
  static void toClient(MultiMap from, MultiMap to, boolean switchingProtocols, String gatewayCookiePrefix) {
    Set<String> nominated = connectionTokens(from);
    for (Map.Entry<String, String> header : from) {
      String name = header.getKey();
      boolean upgrade = switchingProtocols && name.equalsIgnoreCase("upgrade");
      if (upgrade || keepResponseHeader(name, header.getValue(), nominated, gatewayCookiePrefix)) {
        to.add(header.getKey(), header.getValue());
      }
    }
    if (switchingProtocols) {
      to.set("Connection", "Upgrade");
    }
  }

  /**
   * Whether a response header goes to the client (the rule of {@link #toClient}, for one header): not
   * connection-scoped, not nominated by the response's Connection header ({@code nominated}: see
   * {@link #connectionTokens}), not a Proxy-* header, not Content-Length (the forwarder's), and not a
   * Set-Cookie for one of the gateway's cookies. Names in any case.
   */
  static boolean keepResponseHeader(CharSequence name, CharSequence value, Set<String> nominated,
      String gatewayCookiePrefix) {
    if (listed(name, HOP_BY_HOP_BY_INITIAL, HOP_BY_HOP) || nominated(name, nominated)
        || startsWithIgnoringCase(name, "proxy")) {
      return false;
    }
    return !AsciiString.contentEqualsIgnoreCase(name, "content-length")
        && !(AsciiString.contentEqualsIgnoreCase(name, "set-cookie")
            && cookieNameStartsWith(value.toString(), gatewayCookiePrefix));
  }

  /** Whether a request header goes to the backend; {@code name} in any case, '_' read as '-'. */
  private static boolean keepRequestHeader(String name, Set<String> nominated, Forwarding forwarding) {
    if (forwarding.webSocket() && name.equalsIgnoreCase("upgrade")) {
      return true;
    }
    // Judged as a WSGI or CGI backend reads it: PEP 3333 turns '-' into '_', so X_Authenticated_User becomes
    // Django's HTTP_X_AUTHENTICATED_USER, the very key of the gateway's own header (and on a public path,
    // where the gateway sends none, the only one).
    String read = name.indexOf('_') < 0 ? name : name.replace('_', '-');
    // Host, Content-Length, Expect (the gateway answers 100-continue itself) and Cookie are the forwarder's.
    if (listed(read, REQUEST_DROPPED_BY_INITIAL, REQUEST_DROPPED) || nominated(name, nominated)
        || startsWithIgnoringCase(read, "proxy") || startsWithIgnoringCase(read, "x-forwarded-")
        || startsWithIgnoringCase(read, "x-authenticated-")) {
      return false;
    }
    return !forwarding.dropAuthorization() || !name.equalsIgnoreCase("authorization");
  }

  private static boolean nominated(CharSequence name, Set<String> nominated) {
    return !nominated.isEmpty() && nominated.contains(name.toString().toLowerCase(Locale.ROOT));
  }

  /** ASCII case-insensitive, like every comparison of header names here (a name's octets are ISO-8859-1). */
  private static boolean startsWithIgnoringCase(CharSequence name, String lowerCasePrefix) {
    return AsciiString.regionMatches(name, true, 0, lowerCasePrefix, 0, lowerCasePrefix.length());
  }

  /**
   * Whether the name, in any case, is one of {@code names} (lower case): compared only with those of the same
   * first letter, without making a lower-case copy of every header name of every request. A name that does not
   * start with an ASCII character takes the slow way, so that it is judged exactly as the lower-case copy would be.
   */
  private static boolean listed(CharSequence name, String[][] byInitial, Set<String> names) {
    if (name.isEmpty()) {
      return false;
    }
    char first = name.charAt(0);
    if (first >= 0x80) {
      return names.contains(name.toString().toLowerCase(Locale.ROOT));
    }
    String[] candidates = byInitial[Character.toLowerCase(first)];
    if (candidates != null) {
      for (String candidate : candidates) {
        if (name instanceof String s ? candidate.equalsIgnoreCase(s)
            : AsciiString.contentEqualsIgnoreCase(candidate, name)) {
          return true;
        }
      }
    }
    return false;
  }

  /** The names (lower case, ASCII) grouped by their first character, an array slot per ASCII character. */
  private static String[][] byInitial(Set<String> names) {
    String[][] index = new String[128][];
    for (String name : names) {
      char first = name.charAt(0);
      String[] old = index[first];
      String[] grown = old == null ? new String[1] : Arrays.copyOf(old, old.length + 1);
      grown[grown.length - 1] = name;
      index[first] = grown;
    }
    return index;
  }

  /** Header names listed in Connection headers, lower-cased. */
  static Set<String> connectionTokens(MultiMap headers) {
    return connectionTokens(headers.getAll("connection"));
  }

  /** The header names listed in these Connection header values, lower-cased. */
  static Set<String> connectionTokens(List<String> values) {
    if (values.isEmpty()) {
      return Set.of();
    }
    Set<String> tokens = new HashSet<>();
    for (String value : values) {
      for (String token : value.split(",")) {
        String trimmed = token.trim().toLowerCase(Locale.ROOT);
        if (!trimmed.isEmpty()) {
          tokens.add(trimmed);
        }
      }
    }
    return tokens;
  }

  /**
   * The Cookie header without the gateway's cookies, joined into one header (HTTP/2 clients may send several),
   * or null when nothing is left. Prefix matching ignores case, as browsers now do for cookie prefixes.
   */
  static String withoutGatewayCookies(List<String> cookieHeaders, String gatewayCookiePrefix) {
    StringBuilder kept = new StringBuilder();
    for (String header : cookieHeaders) {
      for (String pair : header.split(";")) {
        String trimmed = pair.trim();
        if (trimmed.isEmpty() || cookieNameStartsWith(trimmed, gatewayCookiePrefix)) {
          continue;
        }
        if (kept.length() > 0) {
          kept.append("; ");
        }
        kept.append(trimmed);
      }
    }
    return kept.length() == 0 ? null : kept.toString();
  }

  private static boolean cookieNameStartsWith(String pairOrSetCookie, String prefix) {
    String trimmed = pairOrSetCookie.stripLeading();
    if (trimmed.startsWith("=")) {
      // A cookie without a name ("=__Host-gw-access=x") goes back to the server as its value alone, which reads
      // as the gateway's cookie (RFC 6265bis 5.7; browsers before it store one): judged by that value.
      trimmed = trimmed.substring(1).stripLeading();
    }
    return trimmed.regionMatches(true, 0, prefix, 0, prefix.length());
  }

  /**
   * Identity values as header-safe text: visible ASCII passes unchanged (so plain ids and e-mail addresses
   * read naturally), anything else and '%' is percent-encoded UTF-8, so the backend decodes every value the
   * same way (Python: urllib.parse.unquote) and no value can break the header.
   */
  static String headerSafe(String value) {
    boolean plain = true;
    for (int i = 0; i < value.length() && plain; i++) {
      char c = value.charAt(i);
      plain = c > 0x20 && c < 0x7f && c != '%';
    }
    if (plain) {
      return value;
    }
    StringBuilder encoded = new StringBuilder(value.length() + 16);
    for (byte b : value.getBytes(StandardCharsets.UTF_8)) {
      int c = b & 0xff;
      if (c > 0x20 && c < 0x7f && c != '%') {
        encoded.append((char) c);
      } else {
        percentEncode(encoded, c);
      }
    }
    return encoded.toString();
  }

  /** Appends one octet as {@code %XX}, upper-case hex (RFC 3986 2.1); for identity values and request targets. */
  static void percentEncode(StringBuilder out, int octet) {
    out.append('%').append(Character.toUpperCase(Character.forDigit(octet >> 4, 16)))
        .append(Character.toUpperCase(Character.forDigit(octet & 0xf, 16)));
  }
}
