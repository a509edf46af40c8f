package com.timereg.gateway.config;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import com.fasterxml.jackson.dataformat.yaml.YAMLParser;
import com.timereg.gateway.admin.AdminSettings;
import com.timereg.gateway.breach.BreachSetSettings;
import com.timereg.gateway.password.PasswordSettings;
import com.timereg.gateway.proxy.ProxySettings;
import com.timereg.gateway.store.ConnectionSettings;
import com.timereg.gateway.store.DatabaseSettings;
import com.timereg.gateway.tls.TlsSettings;
import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;

/**
 * The gateway's whole configuration: immutable, validated once at start. {@link #load} reports
 * every problem together in one {@link ConfigException}.
 */
public record GatewayConfig(
    Path dataDir,
    ListenerSettings publicListener,
    RedirectSettings redirect,
    TlsSettings tls,
    AdminSettings admin,
    DatabaseSettings database,
    ProxySettings backend,
    ThrottleConfig throttle,
    PasswordSettings password,
    BreachSetSettings hibp,
    SessionConfig session,
    SsoConfig sso,
    Map<String, String> effective) {

  public static final Path DEFAULT_FILE = Path.of("conf", "gateway.yaml");

  /** A production configuration: everything a real deployment needs must be configured. */
  public static GatewayConfig load(Path file, Function<String, String> env) {
    return load(file, env, false);
  }

  /**
   * @param devMode dev mode may leave out what it provides itself (the session signing key is
   *     then generated in memory)
   */
  public static GatewayConfig load(Path file, Function<String, String> env, boolean devMode) {
    return load(file, env, devMode, List.of());
  }

  /**
   * The process's configuration: as {@link #load(Path, Function, boolean)}, and a {@code GATEWAY_..__..}
   * variable that overrides no key is a problem like an unknown key in the file.
   */
  public static GatewayConfig load(Path file, Map<String, String> environment, boolean devMode) {
    return load(file, environment::get, devMode, environment.keySet());
  }

  private static GatewayConfig load(Path file, Function<String, String> env, boolean devMode,
      java.util.Collection<String> variables) {
    JsonNode root = parse(file);
    ConfigReader r = new ConfigReader(root, env);
    GatewayConfig config = read(r, env, devMode);
    r.reportUnknownKeys();
    r.reportUnknownOverrides(variables);
    if (!r.problems().isEmpty()) {
      throw new ConfigException(r.problems());
    }
    return config;
  }

  private static JsonNode parse(Path file) {
    try {
      // A key or section written twice would otherwise keep only the last: the first one's settings (allowed
      // hosts, trusted proxies) would vanish without a word.
      ObjectMapper mapper = new ObjectMapper(new YAMLFactory())
          .enable(com.fasterxml.jackson.databind.DeserializationFeature.FAIL_ON_READING_DUP_TREE_KEY);
      String text = utf8(file);
      List<String> shape = shapeProblems(mapper, text, file);
      if (!shape.isEmpty()) {
        throw new ConfigException(shape);
      }
      JsonNode root = mapper.readTree(text);
      if (root == null || root.isMissingNode() || root.isNull()) {
        return JsonNodeFactory.instance.objectNode();
      }
      if (!root.isObject()) {
        throw new ConfigException(List.of(file + ": the top level must be a mapping of keys"));
      }
      return root;
    } catch (NoSuchFileException e) {
      throw new ConfigException(List.of(file + ": file not found"));
    } catch (JsonProcessingException e) {
      String where = e.getLocation() == null ? "" : " at line " + e.getLocation().getLineNr();
      java.util.regex.Matcher twice = java.util.regex.Pattern.compile("Duplicate field '([^']*)'")
          .matcher(String.valueOf(e.getOriginalMessage()));
      if (twice.lookingAt()) {
        throw new ConfigException(List.of(file + ": key '" + twice.group(1) + "' is written twice in one section"
            + " (again" + where + "); write it once"));
      }
      throw new ConfigException(List.of(file + ": not valid YAML" + yamlProblem(e, where)));
    } catch (IOException e) {
      throw new ConfigException(List.of(file + ": cannot read (" + e.getMessage() + ")"));
    }
  }

  /**
   * The file's text; one that is not UTF-8 (Latin-1 from an editor, say) is a problem naming the first line where
   * it is not, where the decoder's own message ("Input length = 1") said neither.
   */
  private static String utf8(Path file) throws IOException {
    byte[] bytes = Files.readAllBytes(file);
    int line = 1;
    int start = 0;
    for (int i = 0; i <= bytes.length; i++) {
      if (i == bytes.length || bytes[i] == '\n') {
        try {
          java.nio.charset.StandardCharsets.UTF_8.newDecoder()
              .decode(java.nio.ByteBuffer.wrap(bytes, start, i - start));
        } catch (java.nio.charset.CharacterCodingException e) {
          throw new ConfigException(List.of(file + ": not UTF-8 text (line " + line + "); save it as UTF-8"));
        }
        line++;
        start = i + 1;
      }
    }
    return new String(bytes, java.nio.charset.StandardCharsets.UTF_8);
  }

  /**
   * What the tree would hide. The YAML reader hands an alias over as the name of its anchor, a string where a
   * value was meant (admin.host "lo"), and reads only the first of several documents, dropping the others'
   * settings without a word. Neither is needed in a file of settings, so both are refused.
   */
  private static List<String> shapeProblems(ObjectMapper mapper, String text, Path file) throws IOException {
    // A set: an alias used in a list many times over is one mistake.
    java.util.Set<String> problems = new java.util.LinkedHashSet<>();
    try (com.fasterxml.jackson.core.JsonParser p = mapper.createParser(text)) {
      int depth = 0;
      int documents = 0;
      for (JsonToken t = p.nextToken(); t != null; t = p.nextToken()) {
        int line = p.currentTokenLocation().getLineNr();
        if (p instanceof YAMLParser yaml && yaml.isCurrentAlias()) {
          problems.add(file + ": alias *" + p.getText() + " at line " + line
              + ": anchors and aliases are not supported; write the value itself");
        }
        if (depth == 0 && t != JsonToken.VALUE_NULL && ++documents == 2) {
          problems.add(file + ": more than one YAML document (the next starts at line " + line
              + "); only the first would be read, so write them as one");
        }
        depth += t.isStructStart() ? 1 : t.isStructEnd() ? -1 : 0;
      }
    }
    return List.copyOf(problems);
  }

  /**
   * The parser's reason without its excerpt of the file: the line quoted there may hold a password written where
   * only a reference may stand, and this message goes to the logs.
   */
  private static String yamlProblem(JsonProcessingException e, String where) {
    if (e.getCause() instanceof org.yaml.snakeyaml.error.MarkedYAMLException m && m.getProblem() != null) {
      String line = m.getProblemMark() == null ? where : " at line " + (m.getProblemMark().getLine() + 1);
      return line + ": " + (m.getContext() == null ? "" : m.getContext() + ": ") + m.getProblem();
    }
    return where + ": " + String.valueOf(e.getOriginalMessage()).lines().findFirst().orElse("");
  }

  /**
   * YAML reads an unquoted {@code off} or {@code on} as a boolean: both spellings mean the same here. A file goes where
   * others cannot swap its name for a link: the gateway creates it again after every rotation, following links, and
   * would append its lines to whatever file the link named.
   */
  private static String accessLog(ConfigReader r, String value) {
    return switch (value.toLowerCase(java.util.Locale.ROOT)) {
      case "off", "false", "no" -> ListenerSettings.ACCESS_LOG_OFF;
      case "stdout", "on", "true", "yes" -> ListenerSettings.ACCESS_LOG_STDOUT;
      default -> {
        Optional<Path> file = r.toPath("public.access-log", value);
        file.flatMap(f -> com.timereg.gateway.tls.KeyFileMode.placeRefusal(f, "access log"))
            .ifPresent(m -> r.problem("public.access-log", m));
        yield file.isPresent() ? value : ListenerSettings.DEFAULT_ACCESS_LOG;
      }
    };
  }

  /**
   * From 1 byte: 0 would refuse every request body with 413 (every form the application posts), and is what
   * nginx's client_max_body_size takes for "no limit", the opposite.
   */
  private static long maxBodySize(ConfigReader r) {
    long size = r.size("public.max-body-size", ListenerSettings.DEFAULT_MAX_BODY_SIZE, 0, 1L << 40);
    if (size == 0) {
      r.problem("public.max-body-size", "must be between 1 and " + (1L << 40) + " bytes, got 0: every request body"
          + " would be refused (413); 0 is not \"no limit\" here, give the largest body the application takes");
      return ListenerSettings.DEFAULT_MAX_BODY_SIZE;
    }
    return size;
  }

  /**
   * An allowed-hosts entry as its problem may quote it: one shaped like a host or URL (a dot, colon or slash, no user
   * info, short) is the mistake to show ('https://time.example.com'); anything else could be a secret pasted there.
   */
  private static String shownHost(String h) {
    return h.length() <= 100 && h.matches("[A-Za-z0-9.:/\\[\\]*_-]*[.:/][A-Za-z0-9.:/\\[\\]*_-]*") ? "'" + h + "'"
        : ConfigReader.shown(h);
  }

  private static List<String> allowedHosts(ConfigReader r) {
    List<String> hosts = new java.util.ArrayList<>();
    for (String h : r.stringList("public.allowed-hosts", List.of())) {
      String host = h.toLowerCase(java.util.Locale.ROOT);
      if (!host.matches("\\.?[a-z0-9]([a-z0-9-]*[a-z0-9])?(\\.[a-z0-9]([a-z0-9-]*[a-z0-9])?)*|[0-9.]+|\\[[0-9a-f:.]+\\]")) {
        r.problem("public.allowed-hosts", "an entry is not a host name (no scheme, port or path; '.example.com' for"
            + " the domain and its subdomains): " + shownHost(h));
      } else {
        hosts.add(host);
      }
    }
    return hosts;
  }

  private static GatewayConfig read(ConfigReader r, Function<String, String> env, boolean devMode) {
    Path dataDir = r.toPath("data-dir", r.string("data-dir", "data")).orElse(Path.of("data"));
    // The throttle maps are the record of who is blocked: whoever may delete or replace them unblocks themselves.
    com.timereg.gateway.tls.KeyFileMode.directoryRefusal(dataDir, "data-dir",
        "the throttle maps (every counter and automatic block) and the admin listener's URL file")
        .ifPresent(m -> r.problem("data-dir", m));
    int cores = Runtime.getRuntime().availableProcessors();
    ListenerSettings pub = new ListenerSettings(
        r.string("public.host", defaultListenerHost(devMode)),
        r.integer("public.port", ListenerSettings.DEFAULT_PORT, 0, 65535),
        (int) r.size("public.max-header-size", ListenerSettings.DEFAULT_MAX_HEADER_SIZE, 1024, 1 << 20),
        (int) r.size("public.max-initial-line-length", ListenerSettings.DEFAULT_MAX_INITIAL_LINE_LENGTH, 256, 1 << 20),
        maxBodySize(r),
        r.duration("public.idle-timeout", ListenerSettings.DEFAULT_IDLE_TIMEOUT, Duration.ofSeconds(1), Duration.ofHours(1)),
        r.duration("public.hsts-max-age", ListenerSettings.DEFAULT_HSTS_MAX_AGE, Duration.ZERO, Duration.ofDays(3650)),
        r.bool("public.proxy-protocol", false),
        r.integer("public.event-loops", cores, 1, 256),
        allowedHosts(r),
        r.duration("public.shutdown-delay", ListenerSettings.DEFAULT_SHUTDOWN_DELAY, Duration.ZERO, Duration.ofMinutes(5)),
        r.duration("public.shutdown-grace", ListenerSettings.DEFAULT_SHUTDOWN_GRACE, Duration.ZERO, Duration.ofHours(1)),
        accessLog(r, r.string("public.access-log", ListenerSettings.DEFAULT_ACCESS_LOG)));
    RedirectSettings redirect = new RedirectSettings(
        r.bool("http-redirect.enabled", false),
        r.string("http-redirect.host", defaultListenerHost(devMode)),
        r.integer("http-redirect.port", RedirectSettings.DEFAULT_PORT, 0, 65535),
        r.integer("http-redirect.https-port", RedirectSettings.PUBLIC_PORT, 0, 65535));
    TlsSettings tls = new TlsSettings(
        r.optionalPath("tls.cert-file"),
        r.optionalPath("tls.key-file"),
        r.enumValue("tls.engine", TlsSettings.Engine.class, TlsSettings.Engine.AUTO),
        r.duration("tls.reload-interval", TlsSettings.DEFAULT_RELOAD_INTERVAL, Duration.ofMillis(100), Duration.ofHours(24)),
        dataDir.resolve("tls"));
    if (tls.certFile().isPresent() != tls.keyFile().isPresent()) {
      r.problem("tls", "cert-file and key-file go together: give both, or neither for a self-signed local certificate");
    } else if (tls.selfSigned() && !devMode) {
      // Fail closed: a self-signed certificate made up at start would otherwise serve production traffic, and
      // every client told to accept it would accept any attacker's just as well.
      r.problem("tls.cert-file", "required outside dev mode (--dev), with tls.key-file: the self-signed certificate "
          + "for localhost is for local use only");
    }
    // Read at start: checked now, so a typo is reported with the rest rather than after the migrations.
    tls.certFile().ifPresent(p -> r.readableFile("tls.cert-file", p));
    tls.keyFile().filter(p -> r.readableFile("tls.key-file", p)).ifPresent(p -> r.keyFile("tls.key-file", p));
    AdminSettings admin = AdminConfig.read(r, pub);
    if (redirect.enabled() && redirect.port() != 0) {
      // Vert.x would not refuse the bind: servers on one port share its socket and take its connections in turn,
      // so every other HTTPS (or admin) connection would meet the plain-HTTP redirect.
      if (redirect.port() == pub.port()) {
        r.problem("http-redirect.port", "must differ from public.port (" + pub.port() + ")");
      } else if (redirect.port() == admin.port()) {
        r.problem("http-redirect.port", "must differ from admin.port (" + admin.port() + ")");
      }
    }
    DatabaseSettings db = database(r);
    ProxySettings backend = backend(r);
    ThrottleConfig throttle = ThrottleConfig.read(r, dataDir);
    if (pub.proxyProtocol() && throttle.trustedProxies().isEmpty()) {
      // Fail closed: a PROXY header is believed only from a listed load balancer, so with none listed every
      // client would be the balancer that forwarded it, and one attacker's failures would block everyone.
      r.problem("public.proxy-protocol", "needs client-address.trusted-proxies to name the load balancers whose"
          + " PROXY headers are believed");
    }
    ListenerConsistency.check(r, pub, backend, throttle.policy());
    PasswordSettings password = password(r);
    BreachSetSettings hibp = hibp(r);
    SessionConfig session = SessionConfig.read(r, devMode);
    SsoConfig sso = SsoConfig.read(r, env, devMode);
    ListenerConsistency.checkSso(r, pub, sso.settings());
    return new GatewayConfig(dataDir, pub, redirect, tls, admin, db, backend, throttle, password, hibp, session, sso,
        Map.copyOf(r.effective()));
  }

  private static DatabaseSettings database(ConfigReader r) {
    ConnectionSettings connection = new ConnectionSettings(
        r.string("database.host", "localhost"),
        r.integer("database.port", 5432, 1, 65535),
        r.string("database.name", "gateway"),
        r.string("database.user", "gateway"),
        r.secret("database.password").map(Secret::reveal).orElse(""));
    int poolSize = r.integer("database.pool-size", DatabaseSettings.DEFAULT_MAX_POOL_SIZE, 1, 1000);
    Duration connectTimeout = r.duration("database.connect-timeout", DatabaseSettings.DEFAULT_CONNECT_TIMEOUT,
        Duration.ofMillis(100), Duration.ofMinutes(5));
    io.vertx.pgclient.SslMode sslMode =
        r.enumValue("database.ssl-mode", io.vertx.pgclient.SslMode.class, DatabaseSettings.DEFAULT_SSL_MODE);
    Duration idleTimeout = r.duration("database.idle-timeout", DatabaseSettings.DEFAULT_IDLE_TIMEOUT,
        Duration.ofMillis(100), Duration.ofHours(1));
    Optional<Path> rootCert = r.optionalPath("database.ssl-root-cert");
    // Read now, so a wrong file is reported with the rest rather than as a failed TLS handshake after start.
    rootCert.filter(p -> r.readableFile("database.ssl-root-cert", p)).flatMap(GatewayConfig::certificateProblem)
        .ifPresent(p -> r.problem("database.ssl-root-cert", p));
    // Whoever can write it is trusted as the database: their server would be sent the password and read the
    // password hashes and sessions.
    rootCert.filter(Files::isRegularFile).ifPresent(p -> r.trustFile("database.ssl-root-cert", p,
        "the database server's certificate"));
    try {
      return new DatabaseSettings(connection, poolSize, connectTimeout, sslMode, idleTimeout, rootCert);
    } catch (IllegalArgumentException e) {
      r.problem("database", e.getMessage());
      return new DatabaseSettings(connection, poolSize, connectTimeout, DatabaseSettings.DEFAULT_SSL_MODE, idleTimeout);
    }
  }

  /** Why {@code file} is no PEM file of certificates, or empty when it is one. */
  private static Optional<String> certificateProblem(Path file) {
    try (var in = Files.newInputStream(file)) {
      var certificates = java.security.cert.CertificateFactory.getInstance("X.509").generateCertificates(in);
      return certificates.isEmpty() ? Optional.of(file + " holds no PEM certificate") : Optional.empty();
    } catch (IOException e) {
      return Optional.of("cannot read " + file);
    } catch (java.security.cert.CertificateException e) {
      return Optional.of(file + " is not a PEM file of certificates (" + e.getMessage() + ")");
    }
  }

  /**
   * Where the public and redirect listeners bind unless told: every interface in production, loopback in dev
   * mode, whose demo users' passwords are in the README (a laptop on a shared network would offer them to its
   * neighbours). A container running dev mode sets {@code GATEWAY_PUBLIC__HOST=0.0.0.0}.
   */
  static String defaultListenerHost(boolean devMode) {
    return devMode ? "127.0.0.1" : "0.0.0.0";
  }

  private static PasswordSettings password(ConfigReader r) {
    int threads = r.integer("password.pool-threads", PasswordSettings.DEFAULT_POOL_THREADS, 1, 1024);
    List<java.nio.file.Path> dictionaries = new java.util.ArrayList<>();
    for (String f : r.stringList("password.extra-dictionaries", List.of())) {
      Optional<Path> p = r.toPath("password.extra-dictionaries", f);
      p.filter(file -> r.readableFile("password.extra-dictionaries", file))
          .ifPresent(file -> r.wordList("password.extra-dictionaries", file));
      p.ifPresent(dictionaries::add);
    }
    return new PasswordSettings(
        r.integer("password.iterations", PasswordSettings.DEFAULT_ITERATIONS,
            PasswordSettings.MIN_ITERATIONS, com.timereg.gateway.password.DjangoPbkdf2Hasher.MAX_ITERATIONS),
        threads,
        r.integer("password.pool-queue", threads * PasswordSettings.DEFAULT_QUEUE_PER_THREAD, 1, 1_000_000),
        r.integer("password.retry-after-seconds", PasswordSettings.DEFAULT_RETRY_AFTER_SECONDS, 1, 3600),
        r.integer("password.estimate-max-chars", PasswordSettings.DEFAULT_ESTIMATE_MAX_CHARS, 16, 1024),
        dictionaries);
  }

  /**
   * A missing or unreadable set file is not a configuration error: it refuses password changes at run time. One (or
   * its directory) that others could replace is, as a key file would be.
   */
  private static BreachSetSettings hibp(ConfigReader r) {
    Optional<Path> setPath = r.optionalPath("hibp.set-path");
    setPath.ifPresent(p -> r.breachSetFile("hibp.set-path", p));
    return new BreachSetSettings(
        setPath,
        r.duration("hibp.reload-interval", BreachSetSettings.DEFAULT_RELOAD_INTERVAL, Duration.ofMillis(100), Duration.ofDays(1)),
        r.bool("hibp.allow-without-set", BreachSetSettings.DEFAULT_ALLOW_WITHOUT_SET),
        BreachSetSettings.DEFAULT_CLOSE_GRACE,
        r.bool("hibp.huge-pages", BreachSetSettings.DEFAULT_HUGE_PAGES),
        r.bool("hibp.verify-on-load", BreachSetSettings.DEFAULT_VERIFY_ON_LOAD));
  }

  private static ProxySettings backend(ConfigReader r) {
    String raw = r.string("backend.url", "http://127.0.0.1:8000");
    URI uri = URI.create("http://127.0.0.1:8000");
    try {
      uri = new URI(raw);
      String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(java.util.Locale.ROOT);
      if (!"http".equals(scheme) && !"https".equals(scheme) || uri.getHost() == null) {
        // Without the user info: a URL such as ftp://user:password@host must not put its password in a log.
        r.problem("backend.url", "expected an http:// or https:// URL with a host, got " + (raw.contains("//")
            ? "'" + raw.replaceAll("(?<=//)[^/?#]*@", "...@") + "'" : ConfigReader.shown(raw)));
        uri = URI.create("http://127.0.0.1:8000");
      } else if (!scheme.equals(uri.getScheme())) {
        // Schemes are case-insensitive (RFC 3986 3.1); the rest of the gateway compares them in lower case.
        uri = new URI(scheme + raw.substring(uri.getScheme().length()));
      }
    } catch (java.net.URISyntaxException e) {
      r.problem("backend.url", "not a valid URL: " + e.getReason());
    }
    Duration day = Duration.ofDays(1);
    // Read when the proxy starts: checked now, so a wrong file is a configuration problem naming its key.
    Optional<Path> trustFile = r.optionalPath("backend.trust-file");
    // Whoever can write it is trusted as the backend: every proxied request, its identity headers with it.
    trustFile.filter(p -> r.readableFile("backend.trust-file", p))
        .ifPresent(p -> r.trustFile("backend.trust-file", p, "the backend's certificate"));
    Optional<Path> clientCert = r.optionalPath("backend.client-cert-file");
    clientCert.ifPresent(p -> r.readableFile("backend.client-cert-file", p));
    Optional<Path> clientKey = r.optionalPath("backend.client-key-file");
    clientKey.filter(p -> r.readableFile("backend.client-key-file", p))
        .ifPresent(p -> r.keyFile("backend.client-key-file", p));
    try {
      return new ProxySettings(uri, trustFile, clientCert, clientKey,
          r.integer("backend.max-connections", ProxySettings.DEFAULT_MAX_CONNECTIONS_PER_EVENT_LOOP, 1, 100_000),
          r.integer("backend.max-wait-queue", ProxySettings.DEFAULT_MAX_WAIT_QUEUE_PER_EVENT_LOOP, 0, 1_000_000),
          r.bool("backend.http2", ProxySettings.DEFAULT_HTTP2),
          r.duration("backend.connect-timeout", ProxySettings.DEFAULT_CONNECT_TIMEOUT, Duration.ofMillis(10), day),
          r.duration("backend.response-timeout", ProxySettings.DEFAULT_RESPONSE_TIMEOUT, Duration.ofMillis(10), day),
          r.duration("backend.keep-alive-timeout", ProxySettings.DEFAULT_KEEP_ALIVE_TIMEOUT, Duration.ofSeconds(1), day),
          r.stringList("backend.public-paths", ProxySettings.DEFAULT_PUBLIC_PATH_PREFIXES),
          ProxySettings.DEFAULT_GATEWAY_COOKIE_PREFIX,
          r.integer("backend.max-tunnels-per-session", ProxySettings.DEFAULT_MAX_TUNNELS_PER_SESSION, 1, 100_000));
    } catch (IllegalArgumentException e) {
      r.problem("backend", e.getMessage());
      // Not with uri: it may be what was refused (user info, a path), and the defaults would refuse it again.
      return ProxySettings.defaults(URI.create("http://127.0.0.1:8000"));
    }
  }

  /** The same configuration against another database (dev mode's local server). */
  public GatewayConfig withDatabase(DatabaseSettings db) {
    return new GatewayConfig(dataDir, publicListener, redirect, tls, admin, db, backend, throttle, password, hibp, session, sso, effective);
  }

  /** The same configuration with another backend address (dev mode's demo backend). */
  public GatewayConfig withBackend(URI uri) {
    ProxySettings b = backend;
    ProxySettings moved = new ProxySettings(uri, b.trustPem(), b.clientCertPem(), b.clientKeyPem(),
        b.maxConnectionsPerEventLoop(), b.maxWaitQueuePerEventLoop(), b.http2(), b.connectTimeout(),
        b.responseTimeout(), b.keepAliveTimeout(), b.publicPathPrefixes(), b.gatewayCookiePrefix(),
        b.maxTunnelsPerSession());
    return new GatewayConfig(dataDir, publicListener, redirect, tls, admin, database, moved, throttle, password, hibp, session, sso, effective);
  }

  /** The same configuration with other breach-set settings (dev mode's demo set). */
  public GatewayConfig withBreachSet(BreachSetSettings settings) {
    return new GatewayConfig(dataDir, publicListener, redirect, tls, admin, database, backend, throttle, password, settings,
        session, sso, effective);
  }

  /** The effective configuration, one key per line, secrets masked: logged once at start. */
  public String describe() {
    StringBuilder sb = new StringBuilder();
    new java.util.TreeMap<>(effective).forEach((k, v) -> sb.append("\n  ").append(k).append(" = ").append(v));
    return sb.toString();
  }
}
