package com.timereg.gateway.edge;

import com.timereg.gateway.accesslog.AccessEntry;
import com.timereg.gateway.proxy.ProxyHints;
import com.timereg.gateway.session.SessionAuthenticator;
import com.timereg.gateway.session.SessionIdentity;
import com.timereg.gateway.throttle.Decision;
import io.vertx.core.Handler;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.core.http.HttpVersion;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import java.net.InetAddress;
import java.util.List;

/**
 * The first step of every public request, before routing: framing guard, security headers, client
 * address and block check. A request that the block refuses whatever its path and session is answered
 * here, without a routing context, since a blocked client may send as many as it likes; every other
 * request goes on to the router with what was decided.
 *
 * <p>One instance per listener instance, used from its event loop only. The router runs the first
 * route synchronously inside {@link Router#handle}, so the facts of the request being dispatched are
 * handed over in a field and taken by {@link #attachFacts} at once, keyed by the response object
 * (vertx-web wraps the request, not the response).
 */
final class PublicEntry implements Handler<HttpServerRequest> {
  private final PublicRouter.Steps steps;
  private final String hsts;
  private Router router;
  private List<String> ownedPrefixes;
  private HttpServerResponse handingOver;
  private InetAddress client;
  private Decision decision;
  private long startNanos;

  PublicEntry(PublicRouter.Steps steps) {
    this.steps = steps;
    this.hsts = PublicRouter.hsts(steps.hstsMaxAge());
  }

  void router(Router router) {
    this.router = router;
    this.ownedPrefixes = ownedPrefixes(router);
  }

  /**
   * Lower-case path prefixes that every path one of the router's own routes can match starts with (the
   * route's path up to its first parameter or its second segment), or null when a route matches in a way
   * no prefix captures (a regular expression): then nothing may bypass the router. The routes without a
   * path are the steps every request passes and the proxy.
   */
  List<String> ownedPrefixes() {
    return ownedPrefixes;
  }

  private static List<String> ownedPrefixes(Router router) {
    java.util.Set<String> prefixes = new java.util.TreeSet<>();
    for (io.vertx.ext.web.Route route : router.getRoutes()) {
      if (route.isRegexPath()) {
        return null;
      }
      String path = route.getPath();
      if (path == null) {
        continue;
      }
      int cut = path.indexOf(':');
      int second = path.indexOf('/', 1);
      if (second > 0 && (cut < 0 || second < cut)) {
        cut = second;
      }
      String prefix = (cut < 0 ? path : path.substring(0, cut)).toLowerCase(java.util.Locale.ROOT);
      if (prefix.equals("/") || prefix.isEmpty()) {
        return null;
      }
      prefixes.add(prefix);
    }
    return List.copyOf(prefixes);
  }

  /**
   * A request Netty could not parse (a malformed request line or header, a bad or doubled Content-Length):
   * Vert.x's own answer, 400 (414, 431 for a line or headers too long) and close, with the gateway's JSON
   * body, HSTS like every other answer, and a {@code Connection: close} that says so.
   *
   * <p>Access-logged with the peer's address (no trusted-proxy header is read from a request that failed to
   * parse). When the request line itself could not be parsed, Netty hands Vert.x a placeholder ({@code GET
   * /bad-request}, HTTP/1.0, no headers), and logging it would say the client sent that: such a line has no
   * method, path, protocol, host or user agent. Scanners and smuggling probes are mostly such requests, so
   * security staff see them all the same.
   */
  void invalidRequest(HttpServerRequest request) {
    long start = steps.accessLog().enabled() ? System.nanoTime() : 0;
    Throwable cause = request.decoderResult().cause();
    int status = cause instanceof io.netty.handler.codec.http.TooLongHttpLineException ? 414
        : cause instanceof io.netty.handler.codec.http.TooLongHttpHeaderException ? 431 : 400;
    if (hsts != null) {
      request.response().headers().set("Strict-Transport-Security", hsts);
    }
    PublicRouter.jsonAndClose(request, status, status == 400 ? "bad_request" : "too_large",
        status == 400 ? "The request is not valid HTTP." : "The request line or its headers are too long.");
    if (steps.accessLog().enabled()) {
      long bytes = bodyBytesSent(request);
      if (isPlaceholder(request)) {
        String peer = peer(request);
        steps.accessLog().log(accessEntry(peer, null, null, null, null, status, bytes, start, null, "entry", null));
      } else {
        steps.accessLog().log(entry(request, null, start, status, bytes, null, "entry"));
      }
    }
  }

  /**
   * Netty's stand-in for a request whose request line could not be parsed; when the line was parsed and a
   * header was not, Vert.x gets the real request with the headers read before the bad one.
   */
  private static boolean isPlaceholder(HttpServerRequest request) {
    return request.version() == HttpVersion.HTTP_1_0 && request.method() == io.vertx.core.http.HttpMethod.GET
        && "/bad-request".equals(request.uri()) && request.headers().isEmpty();
  }

  private static boolean hasLineBreakOrNul(io.vertx.core.MultiMap headers) {
    for (java.util.Map.Entry<String, String> header : headers) {
      String value = header.getValue();
      for (int i = 0; i < value.length(); i++) {
        char c = value.charAt(i);
        if (c == '\r' || c == '\n' || c == 0) {
          return true;
        }
      }
    }
    return false;
  }

  /** No space and no control character: what an HTTP/1.1 request line can carry as its method or target. */
  private static boolean isToken(String s) {
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      if (c <= ' ' || c == 0x7f) {
        return false;
      }
    }
    return true;
  }

  /** A '%' in the path not followed by two hexadecimal digits, which no percent-decoder can read. */
  static boolean brokenPercentEscape(String path) {
    if (path == null) {
      return false;
    }
    for (int i = path.indexOf('%'); i >= 0; i = path.indexOf('%', i + 1)) {
      if (i + 2 >= path.length() || !isHexDigit(path.charAt(i + 1)) || !isHexDigit(path.charAt(i + 2))) {
        return true;
      }
    }
    return false;
  }

  private static boolean isHexDigit(char c) {
    return c >= '0' && c <= '9' || c >= 'a' && c <= 'f' || c >= 'A' && c <= 'F';
  }

  /** No more than one Host header, and one on HTTP/1.1 (HTTP/2 names its host in :authority). */
  private static boolean oneHost(HttpServerRequest request) {
    List<String> hosts = request.headers().getAll("Host");
    return hosts.size() == 1 || hosts.isEmpty() && request.version() != HttpVersion.HTTP_1_1;
  }

  /**
   * The host named by an absolute-form target ({@code http://host/path}), which RFC 9112 3.2.2 puts above
   * the Host header; for any other target the empty string, which {@code allowsHost} is not asked about.
   * Vert.x takes the authority from the Host header alone, and the proxy forwards the path only.
   */
  private static String targetHost(String uri) {
    if (uri.startsWith("/")) {
      return "";
    }
    try {
      return java.net.URI.create(uri).getHost();
    } catch (IllegalArgumentException e) {
      return null;
    }
  }

  @Override
  public void handle(HttpServerRequest sent) {
    long start = steps.accessLog().enabled() ? System.nanoTime() : 0;
    // Before any step answers: Vert.x sends the body of an answer to a HEAD over HTTP/2 (HeadOverHttp2).
    HttpServerRequest request = HeadOverHttp2.wrapIfHead(sent);
    if (hsts != null) {
      // On every response, including proxied ones and errors (the framing refusal below too), so a browser
      // that reached us once never again tries plain HTTP.
      request.response().headers().set("Strict-Transport-Security", hsts);
    }
    if (request.version() != HttpVersion.HTTP_2 && FramingGuard.ambiguous(request)) {
      // See FramingGuard: the next bytes on this connection cannot be trusted to be a request.
      FramingGuard.refuse(request);
      answeredHere(request, null, start);
      return;
    }
    if (request.version() == HttpVersion.HTTP_2 && hasLineBreakOrNul(request.headers())) {
      // HPACK carries any octet; RFC 9113 8.2.1 makes such a field malformed. Copied into the backend's
      // HTTP/1.1 head, a CR or LF would end a header line there (header injection, request smuggling).
      PublicRouter.json(request.response(), 400, "bad_request", "A header value contains a line break or NUL.");
      answeredHere(request, null, start);
      return;
    }
    if (request.version() == HttpVersion.HTTP_2 && request.uri() == null) {
      // An HTTP/2 CONNECT has no :path (RFC 9113 8.5), the only request Netty lets through without one. Never
      // forwarded (ProxyHandler.refusesMethod); the path check below threw on it and the stream went unanswered.
      PublicRouter.json(request.response(), 405, "method_not_allowed", "This method is not forwarded.");
      answeredHere(request, null, start);
      return;
    }
    if (!(isToken(request.uri()) && isToken(request.method().name()))) {
      // The same for :path and :method, which no HTTP/1.1 request line can hold with a space or control
      // character in it: Netty refuses to build the backend's request line (the stream was left unanswered),
      // and a line break would split the plain log lines that name the path. Netty's HTTP/1.1 decoder takes
      // other control characters in a target (NUL, backspace, ESC, DEL): they would reach the backend's request
      // line and, unescaped, the plain log lines (ESC E starts a new line on a terminal, a forged one).
      PublicRouter.json(request.response(), 400, "bad_request",
          "The method or path contains a space or a control character.");
      answeredHere(request, null, start);
      return;
    }
    if (brokenPercentEscape(request.path())) {
      // vertx-web throws on it while matching routes, and answers a text/plain "Bad Request" after an ERROR line
      // with a stack trace in the application log: one for every such request, which any client can send.
      PublicRouter.json(request.response(), 400, "bad_request",
          "The path contains a percent sign not followed by two hexadecimal digits.");
      answeredHere(request, null, start);
      return;
    }
    if (!oneHost(request)) {
      // RFC 9112 3.2: a server MUST answer 400 to an HTTP/1.1 request without a Host and to any with more than
      // one. With two, the gateway checked and forwarded the first, and whatever in front of it or behind it
      // reads the other (a cache keying on it) would take the request for another site's.
      PublicRouter.json(request.response(), 400, "bad_request", "Send one Host header naming this site.");
      answeredHere(request, null, start);
      return;
    }
    io.vertx.core.net.HostAndPort authority = request.authority();
    // An empty Host names no host: with public.allowed-hosts set it is refused as an absent one is, where the
    // empty text passed as "no host to check" and the backend got an empty X-Forwarded-Host.
    String host = authority == null || authority.host().isEmpty() ? null : authority.host();
    if (!steps.allowsHost().test(host) || !steps.allowsHost().test(targetHost(request.uri()))) {
      // Django's ALLOWED_HOSTS, one step earlier: a backend that builds links from X-Forwarded-Host
      // never sees a host nobody configured (password-reset link poisoning and the like).
      PublicRouter.json(request.response(), 400, "bad_request", "This host is not served here.");
      answeredHere(request, null, start);
      return;
    }
    InetAddress address = steps.clientAddress().resolve(request);
    if (address == null) {
      // Cannot happen on TCP listeners; refuse rather than let an unknown client skip throttling.
      PublicRouter.json(request.response(), 400, "bad_request", "The client address could not be determined.");
      answeredHere(request, null, start);
      return;
    }
    Decision d = steps.blockCheck().check(address);
    if (steps.blockCheck().refusesOutright(request, d)) {
      steps.blockCheck().refuse(request, d);
      answeredHere(request, address, start);
      return;
    }
    handingOver = request.response();
    client = address;
    decision = d;
    startNanos = start;
    try {
      router.handle(request);
    } finally {
      handingOver = null;
      client = null;
      decision = null;
    }
  }

  /** The connection's peer as text ({@link ClientPeer}: with the PROXY protocol, whom a trusted balancer named). */
  private static String peer(HttpServerRequest request) {
    InetAddress peer = request.connection() instanceof io.vertx.core.net.impl.ConnectionBase base
        ? ClientPeer.of(base.channel()) : null;
    return peer == null ? null : peer.getHostAddress();
  }

  /** The access-log line of a request answered above, before routing ({@code via: entry}). */
  private void answeredHere(HttpServerRequest request, InetAddress address, long start) {
    if (steps.accessLog().enabled()) {
      steps.accessLog().log(entry(request, address, start, request.response().getStatusCode(),
          bodyBytesSent(request), null, "entry"));
    }
  }

  /**
   * The body bytes the answer sent: none to a HEAD. Vert.x counts the body written to a HEAD's answer though its
   * HTTP/1.x encoder leaves it out (over HTTP/2, {@link HeadOverHttp2} drops it before Vert.x counts it), so the
   * line said so many bytes over HTTP/1.1 and 0 over HTTP/2 for the same answer.
   */
  private static long bodyBytesSent(HttpServerRequest request) {
    return request.method() == io.vertx.core.http.HttpMethod.HEAD ? 0 : request.response().bytesWritten();
  }

  static AccessEntry entry(HttpServerRequest request, InetAddress address, long startNanos, int status, long bytes,
      SessionIdentity id, String via) {
    String client = address != null ? address.getHostAddress() : peer(request);
    io.vertx.core.net.HostAndPort authority = request.authority();
    String host = authority == null ? null : authority.port() >= 0 ? authority.host() + ":" + authority.port()
        : authority.host();
    String protocol = switch (request.version()) {
      case HTTP_2 -> "HTTP/2";
      case HTTP_1_0 -> "HTTP/1.0";
      default -> "HTTP/1.1";
    };
    return accessEntry(client, request.method().name(), pathAsSent(request), protocol, host, status, bytes,
        startNanos, id, via, request.getHeader("User-Agent"));
  }

  /**
   * The target's path without its query. Vert.x takes the path of an absolute-form target at the first '/' after
   * its authority, wherever that is: for {@code http://host?reset=/token} it is {@code /token}, text of the query,
   * which no line may hold. Such a target's path is empty, logged as {@code /}.
   */
  private static String pathAsSent(HttpServerRequest request) {
    String uri = request.uri();
    int authority = uri.startsWith("/") ? -1 : uri.indexOf("://");
    if (authority < 0) {
      return request.path();
    }
    int slash = uri.indexOf('/', authority + 3);
    int query = uri.indexOf('?');
    int fragment = uri.indexOf('#');
    boolean inQueryOrFragment = slash >= 0 && (query >= 0 && query < slash || fragment >= 0 && fragment < slash);
    return slash < 0 || inQueryOrFragment ? "/" : request.path();
  }

  /** An access-log entry, ending now; {@code id} is null without a session. For this class and the fast path. */
  static AccessEntry accessEntry(String client, String method, String path, String protocol, String host, int status,
      long bytes, long startNanos, SessionIdentity id, String via, String userAgent) {
    return new AccessEntry(client, method, path, protocol, host, status, bytes, (System.nanoTime() - startNanos) / 1000,
        id == null ? null : id.loginName(), id == null ? null : id.customer(), id == null ? null : id.method().value,
        via, userAgent);
  }

  /** The router's first step: the request's client address and the block decision made above. */
  void attachFacts(RoutingContext ctx) {
    if (handingOver != ctx.response()) {
      // Only reachable if vertx-web stopped running the first route synchronously: fail closed.
      ctx.fail(new IllegalStateException("request facts not handed over"));
      return;
    }
    ClientAddressHandler.put(ctx, client);
    if (steps.accessLog().enabled()) {
      InetAddress address = client;
      long start = startNanos;
      // After the answer's end, or when the connection closed first: 499 if its head never went out, unless
      // the connection's own handler answered in Vert.x's place (a malformed chunked body: 400).
      boolean[] logged = {false};
      ctx.addEndHandler(ended -> {
        if (logged[0]) {
          return;
        }
        logged[0] = true;
        int status = ctx.response().getStatusCode();
        long bytes = bodyBytesSent(ctx.request());
        if (!ended.succeeded() && !ctx.response().headWritten()) {
          long[] instead = ConnectionFastPath.answeredInsteadOfVertx(ctx.request().connection());
          status = instead == null ? 499 : (int) instead[0];
          bytes = instead == null ? bytes : instead[1];
        }
        steps.accessLog().log(entry(ctx.request(), address, start, status, bytes,
            SessionAuthenticator.identity(ctx).orElse(null), "router"));
      });
      // A request that became a WebSocket tunnel never ends as an answer: Vert.x hands its connection over, and
      // the end handlers above never run. Its line is written when the tunnel ends (as nginx logs one), its
      // duration the tunnel's life and its bytes those relayed to the client.
      ProxyHints.onTunnelEnded(ctx, relayed -> {
        if (!logged[0]) {
          logged[0] = true;
          steps.accessLog().log(entry(ctx.request(), address, start, 101, relayed,
              SessionAuthenticator.identity(ctx).orElse(null), "router"));
        }
      });
    }
    steps.blockCheck().handle(ctx, decision);
  }
}
