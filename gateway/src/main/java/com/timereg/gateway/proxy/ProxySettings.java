package com.timereg.gateway.proxy;

import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.Optional;

/**
 * How the gateway reaches the backend it protects.
 *
 * <p>The pool limits are per {@link ProxyHandler}: build one handler per event-loop verticle of the
 * public listener so that each event loop owns its connections and no response hops threads.
 *
 * @param backend                   {@code http://host:port} or {@code https://host:port}, no path, query or user info
 * @param trustPem                  PEM file of CAs that sign the backend's certificate; empty means the JDK's trust store
 * @param clientCertPem             PEM certificate chain the gateway presents to the backend (mutual TLS), with {@code clientKeyPem}
 * @param clientKeyPem              PEM private key (PKCS#8) for {@code clientCertPem}
 * @param maxConnectionsPerEventLoop most HTTP/1.1 connections (or HTTP/2 connections) to the backend per handler
 * @param maxWaitQueuePerEventLoop  requests that may wait for a free connection; beyond it the gateway answers 503
 * @param http2                     speak HTTP/2 to the backend (ALPN over TLS, prior knowledge over plain HTTP);
 *                                  WebSocket upgrades always use HTTP/1.1
 * @param connectTimeout            longest wait for a backend connection, TCP connect and TLS handshake or a pool slot
 * @param responseTimeout           longest wait for the response head once the request has been forwarded completely
 * @param keepAliveTimeout          how long an idle pooled connection is kept; keep it below the backend's own idle timeout
 *                                  so the gateway never reuses a connection the backend is closing
 * @param publicPathPrefixes        path prefixes the router lets through without a session (the proxy only carries them)
 * @param gatewayCookiePrefix       cookies whose names start with this (case-insensitive) belong to the gateway and are
 *                                  never forwarded to the backend, nor accepted from it
 * @param maxTunnelsPerSession      WebSocket tunnels one session, or on a public path one client address, may have
 *                                  open on a node; a handshake beyond it is refused with 429 before it reaches the
 *                                  backend ({@link TunnelQuota})
 */
public record ProxySettings(
    URI backend,
    Optional<Path> trustPem,
    Optional<Path> clientCertPem,
    Optional<Path> clientKeyPem,
    int maxConnectionsPerEventLoop,
    int maxWaitQueuePerEventLoop,
    boolean http2,
    Duration connectTimeout,
    Duration responseTimeout,
    Duration keepAliveTimeout,
    List<String> publicPathPrefixes,
    String gatewayCookiePrefix,
    int maxTunnelsPerSession) {

  /** vertx-http-proxy's client default is 5 connections, which queues requests at a few hundred per second. */
  public static final int DEFAULT_MAX_CONNECTIONS_PER_EVENT_LOOP = 100;
  /** Ten waiting requests per connection: about one backend response time of queueing before shedding load. */
  public static final int DEFAULT_MAX_WAIT_QUEUE_PER_EVENT_LOOP = 1000;
  public static final boolean DEFAULT_HTTP2 = false;
  public static final Duration DEFAULT_CONNECT_TIMEOUT = Duration.ofSeconds(5);
  public static final Duration DEFAULT_RESPONSE_TIMEOUT = Duration.ofSeconds(30);
  /** Below gunicorn's and Node's common idle timeouts once raised from their tiny defaults; see docs/proxy.md. */
  public static final Duration DEFAULT_KEEP_ALIVE_TIMEOUT = Duration.ofSeconds(15);
  public static final List<String> DEFAULT_PUBLIC_PATH_PREFIXES = List.of();
  /** The session package names its cookies {@code __Host-gw...}. */
  public static final String DEFAULT_GATEWAY_COOKIE_PREFIX = "__Host-gw";
  /**
   * Plenty for one person's tabs, each with a socket or two; a client opening hundreds is a bug or an attack,
   * and every tunnel holds a backend connection.
   */
  public static final int DEFAULT_MAX_TUNNELS_PER_SESSION = 50;

  public ProxySettings {
    Objects.requireNonNull(backend, "backend");
    trustPem = Objects.requireNonNullElse(trustPem, Optional.empty());
    clientCertPem = Objects.requireNonNullElse(clientCertPem, Optional.empty());
    clientKeyPem = Objects.requireNonNullElse(clientKeyPem, Optional.empty());
    publicPathPrefixes = List.copyOf(Objects.requireNonNullElse(publicPathPrefixes, List.of()));
    List<String> problems = problems(backend, trustPem, clientCertPem, clientKeyPem, maxConnectionsPerEventLoop,
        maxWaitQueuePerEventLoop, connectTimeout, responseTimeout, keepAliveTimeout, publicPathPrefixes,
        gatewayCookiePrefix);
    if (maxTunnelsPerSession < 1) {
      problems.add("maxTunnelsPerSession must be at least 1");
    }
    if (!problems.isEmpty()) {
      throw new IllegalArgumentException("invalid proxy settings: " + String.join("; ", problems));
    }
  }

  /** With the default {@link #DEFAULT_MAX_TUNNELS_PER_SESSION}. */
  public ProxySettings(URI backend, Optional<Path> trustPem, Optional<Path> clientCertPem,
      Optional<Path> clientKeyPem, int maxConnectionsPerEventLoop, int maxWaitQueuePerEventLoop, boolean http2,
      Duration connectTimeout, Duration responseTimeout, Duration keepAliveTimeout, List<String> publicPathPrefixes,
      String gatewayCookiePrefix) {
    this(backend, trustPem, clientCertPem, clientKeyPem, maxConnectionsPerEventLoop, maxWaitQueuePerEventLoop,
        http2, connectTimeout, responseTimeout, keepAliveTimeout, publicPathPrefixes, gatewayCookiePrefix,
        DEFAULT_MAX_TUNNELS_PER_SESSION);
  }

  public ProxySettings withMaxTunnelsPerSession(int max) {
    return new ProxySettings(backend, trustPem, clientCertPem, clientKeyPem, maxConnectionsPerEventLoop,
        maxWaitQueuePerEventLoop, http2, connectTimeout, responseTimeout, keepAliveTimeout, publicPathPrefixes,
        gatewayCookiePrefix, max);
  }

  /** Settings with every default and the given backend. */
  public static ProxySettings defaults(URI backend) {
    return new ProxySettings(backend, Optional.empty(), Optional.empty(), Optional.empty(),
        DEFAULT_MAX_CONNECTIONS_PER_EVENT_LOOP, DEFAULT_MAX_WAIT_QUEUE_PER_EVENT_LOOP, DEFAULT_HTTP2,
        DEFAULT_CONNECT_TIMEOUT, DEFAULT_RESPONSE_TIMEOUT, DEFAULT_KEEP_ALIVE_TIMEOUT,
        DEFAULT_PUBLIC_PATH_PREFIXES, DEFAULT_GATEWAY_COOKIE_PREFIX);
  }

  public ProxySettings withResponseTimeout(Duration timeout) {
    return new ProxySettings(backend, trustPem, clientCertPem, clientKeyPem, maxConnectionsPerEventLoop,
        maxWaitQueuePerEventLoop, http2, connectTimeout, timeout, keepAliveTimeout, publicPathPrefixes,
        gatewayCookiePrefix, maxTunnelsPerSession);
  }

  public ProxySettings withTls(Optional<Path> trust, Optional<Path> clientCert, Optional<Path> clientKey) {
    return new ProxySettings(backend, trust, clientCert, clientKey, maxConnectionsPerEventLoop,
        maxWaitQueuePerEventLoop, http2, connectTimeout, responseTimeout, keepAliveTimeout, publicPathPrefixes,
        gatewayCookiePrefix, maxTunnelsPerSession);
  }

  public ProxySettings withHttp2(boolean enabled) {
    return new ProxySettings(backend, trustPem, clientCertPem, clientKeyPem, maxConnectionsPerEventLoop,
        maxWaitQueuePerEventLoop, enabled, connectTimeout, responseTimeout, keepAliveTimeout, publicPathPrefixes,
        gatewayCookiePrefix, maxTunnelsPerSession);
  }

  public boolean backendTls() {
    return "https".equals(backend.getScheme().toLowerCase(Locale.ROOT));
  }

  public String backendHost() {
    return backend.getHost();
  }

  public int backendPort() {
    return backend.getPort() > 0 ? backend.getPort() : backendTls() ? 443 : 80;
  }

  /**
   * Whether a request path is one the router may forward without a session. Plain prefix matching: write
   * {@code /static/}, not {@code /static}, unless {@code /staticfoo} is meant to be public too.
   */
  public boolean isPublicPath(String path) {
    for (String prefix : publicPathPrefixes) {
      if (path.startsWith(prefix)) {
        return true;
      }
    }
    return false;
  }

  private static List<String> problems(URI backend, Optional<Path> trustPem, Optional<Path> clientCertPem,
      Optional<Path> clientKeyPem, int maxConnections, int maxWaitQueue, Duration connectTimeout,
      Duration responseTimeout, Duration keepAliveTimeout, List<String> publicPathPrefixes, String cookiePrefix) {
    List<String> problems = new ArrayList<>();
    String scheme = backend.getScheme() == null ? "" : backend.getScheme().toLowerCase(Locale.ROOT);
    if (!scheme.equals("http") && !scheme.equals("https")) {
      problems.add("backend must be an http:// or https:// URI, got '" + backend + "'");
    }
    if (backend.getHost() == null || backend.getHost().isEmpty()) {
      problems.add("backend URI needs a host");
    }
    if (backend.getRawUserInfo() != null) {
      problems.add("backend URI must not carry user info");
    }
    if (backend.getRawPath() != null && !backend.getRawPath().isEmpty() && !backend.getRawPath().equals("/")) {
      problems.add("backend URI must not have a path; requests keep their own path");
    }
    if (backend.getRawQuery() != null || backend.getRawFragment() != null) {
      problems.add("backend URI must not have a query or fragment");
    }
    boolean tlsFiles = trustPem.isPresent() || clientCertPem.isPresent() || clientKeyPem.isPresent();
    if (tlsFiles && scheme.equals("http")) {
      problems.add("TLS files are configured but the backend is plain http");
    }
    if (clientCertPem.isPresent() != clientKeyPem.isPresent()) {
      problems.add("a client certificate needs both its certificate and its key PEM");
    }
    if (maxConnections < 1) {
      problems.add("maxConnectionsPerEventLoop must be at least 1");
    }
    if (maxWaitQueue < 0) {
      problems.add("maxWaitQueuePerEventLoop must not be negative");
    }
    requirePositive(problems, "connectTimeout", connectTimeout);
    requirePositive(problems, "responseTimeout", responseTimeout);
    requirePositive(problems, "keepAliveTimeout", keepAliveTimeout);
    if (keepAliveTimeout != null && keepAliveTimeout.toSeconds() < 1) {
      problems.add("keepAliveTimeout must be at least one second (the HTTP client counts whole seconds)");
    }
    for (String prefix : publicPathPrefixes) {
      if (prefix == null || !prefix.startsWith("/")) {
        problems.add("public path prefix must start with '/': '" + prefix + "'");
      }
    }
    if (cookiePrefix == null || cookiePrefix.isBlank()) {
      problems.add("gatewayCookiePrefix must not be empty");
    }
    return problems;
  }

  private static void requirePositive(List<String> problems, String name, Duration value) {
    if (value == null || value.isZero() || value.isNegative()) {
      problems.add(name + " must be a positive duration");
    }
  }
}
