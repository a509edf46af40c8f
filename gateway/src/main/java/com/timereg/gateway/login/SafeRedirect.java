package com.timereg.gateway.login;

import java.io.ByteArrayOutputStream;
import java.net.URI;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.Deque;

/**
 * Where to send a user after login: only a path on this site. Anything that a browser could read
 * as another origin ({@code //host}, {@code /\host}, {@code https://host}, their percent-encoded
 * forms, control characters, a path whose dot segments resolve to {@code //host}) becomes {@code /}: an
 * open redirect on a login page is a phishing tool.
 */
public final class SafeRedirect {
  public static final String HOME = "/";
  private static final int MAX_LENGTH = 2048;
  /** Layers of percent-encoding to look through; more than this is not a path anyone types. */
  private static final int DECODE_ROUNDS = 3;

  private SafeRedirect() {}

  public static String of(String next) {
    if (next == null || next.isEmpty() || next.length() > MAX_LENGTH || !looksLocal(next)) {
      return HOME;
    }
    // Only the path decides where a browser (or a server that decodes once more) goes: the query and
    // fragment are data, where an encoded space or "%25" is ordinary ("?name=Ann%20Lee", "?q=50%25")
    // and must not cost the user their page. So the encoded layers are looked through for the path only.
    String current = pathOf(next);
    for (int round = 0; round <= DECODE_ROUNDS; round++) {
      if (!looksLocal(current) || withoutDotSegments(current).startsWith("//")) {
        return HOME;
      }
      String decoded = decode(current);
      if (decoded.equals(current)) {
        return toUri(next);
      }
      current = pathOf(decoded);
    }
    return HOME;
  }

  /**
   * One layer of percent-decoding as a lenient decoder (Python's unquote, most frameworks) does it: a valid escape is
   * decoded, anything else ("50%-done", a lone "%") stays as it is, and "+" stays "+". The strict decoder refused a
   * layer with a percent sign that starts no escape, so a page whose path holds a literal one, encoded once as %25
   * ("/reports/50%25-done"), cost the user their page. Looked through leniently, a "//" behind such a sign is still
   * found, as a lenient server decoding once more would find it. The address itself must be a valid URI
   * ({@link #toUri}): a broken escape there is still refused.
   */
  private static String decode(String s) {
    StringBuilder out = new StringBuilder(s.length());
    ByteArrayOutputStream escaped = new ByteArrayOutputStream();
    for (int i = 0; i < s.length(); i++) {
      int high = s.charAt(i) == '%' && i + 2 < s.length() ? hex(s.charAt(i + 1)) : -1;
      int low = high >= 0 ? hex(s.charAt(i + 2)) : -1;
      if (low >= 0) {
        escaped.write(high << 4 | low);
        i += 2;
      } else {
        flush(escaped, out);
        out.append(s.charAt(i));
      }
    }
    flush(escaped, out);
    return out.toString();
  }

  /** The escaped bytes read so far, as UTF-8 (a malformed sequence becomes U+FFFD, as URLDecoder made it). */
  private static void flush(ByteArrayOutputStream escaped, StringBuilder out) {
    if (escaped.size() > 0) {
      out.append(escaped.toString(StandardCharsets.UTF_8));
      escaped.reset();
    }
  }

  /** The value of an ASCII hex digit, or -1 (Character.digit would also take other scripts' digits). */
  private static int hex(char c) {
    return c >= '0' && c <= '9' ? c - '0' : c >= 'a' && c <= 'f' ? c - 'a' + 10 : c >= 'A' && c <= 'F' ? c - 'A' + 10 : -1;
  }

  /**
   * The path as browsers and servers resolve its "." and ".." segments (RFC 3986, 5.2.4), for the check only: the
   * address goes out as it came. "/.//evil.example" and "/a/..//evil.example" start with one slash, but a browser
   * sent there asks for the path "//evil.example", which a backend that redirects by the path (a trailing-slash
   * redirect) turns into "Location: //evil.example/", another site. A decoded layer is resolved too, since browsers
   * also take "%2e%2e" for "..".
   */
  static String withoutDotSegments(String path) {
    Deque<String> kept = new ArrayDeque<>();
    String[] segments = path.split("/", -1);
    for (int i = 1; i < segments.length; i++) {
      String segment = segments[i];
      boolean last = i == segments.length - 1;
      if (segment.equals("..")) {
        kept.pollLast();
      } else if (!segment.equals(".")) {
        kept.addLast(segment);
        continue;
      }
      if (last) {
        kept.addLast("");
      }
    }
    return "/" + String.join("/", kept);
  }

  /** The part before the query or fragment. */
  private static String pathOf(String s) {
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      if (c == '?' || c == '#') {
        return s.substring(0, i);
      }
    }
    return s;
  }

  private static boolean looksLocal(String s) {
    if (!s.startsWith("/") || s.startsWith("//")) {
      return false;
    }
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      // Browsers treat a backslash as a slash ("/\evil.example"), and drop tabs and newlines
      // from URLs before parsing them ("/\t/evil.example").
      if (c == '\\' || c < 0x20 || c == 0x7f || Character.isWhitespace(c)) {
        return false;
      }
    }
    return true;
  }

  private static String toUri(String next) {
    try {
      URI uri = new URI(next);
      // ASCII only: a Location header carries bytes, and a letter beyond Latin-1 would go out as '?'
      // (another page: "/projects/?..."). Percent-encoded it is the same path to the browser.
      return uri.getScheme() == null && uri.getRawAuthority() == null ? uri.toASCIIString() : HOME;
    } catch (URISyntaxException e) {
      return HOME;
    }
  }
}
