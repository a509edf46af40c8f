package com.timereg.gateway.edge;

import com.timereg.gateway.accesslog.AccessLog;
import com.timereg.gateway.accesslog.JsonLinesAccessLog;
import com.timereg.gateway.admin.AdminAccess;
import com.timereg.gateway.admin.AdminRouter;
import com.timereg.gateway.admin.RecentLoginEvents;
import com.timereg.gateway.admin.SecurityConsole;
import com.timereg.gateway.admin.SecurityEvents;
import com.timereg.gateway.admin.SessionVerifier;
import com.timereg.gateway.admin.StaffDirectory;
import com.timereg.gateway.admin.Readiness;
import com.timereg.gateway.config.GatewayConfig;
import com.timereg.gateway.clientip.ClientAddressResolver;
import com.timereg.gateway.clientip.ClientKeys;
import com.timereg.gateway.config.ListenerSettings;
import com.timereg.gateway.config.RedirectSettings;
import com.timereg.gateway.breach.BreachSet;
import com.timereg.gateway.breach.MicrometerBreachSetMetrics;
import com.timereg.gateway.login.CheckRateLimiter;
import com.timereg.gateway.login.LoginRoutes;
import com.timereg.gateway.login.MicrometerPasswordChangeMetrics;
import com.timereg.gateway.login.NewPasswordChecks;
import com.timereg.gateway.login.PasswordChangeMetrics;
import com.timereg.gateway.login.PasswordChangeService;
import com.timereg.gateway.login.PasswordRoutes;
import com.timereg.gateway.login.LoginService;
import com.timereg.gateway.login.MicrometerLoginMetrics;
import com.timereg.gateway.login.UserDirectory;
import com.timereg.gateway.password.DjangoPbkdf2Hasher;
import com.timereg.gateway.password.MicrometerPasswordMetrics;
import com.timereg.gateway.password.PasswordPolicyChecker;
import com.timereg.gateway.password.PasswordVerifier;
import com.timereg.gateway.password.Pbkdf2Sha256;
import com.timereg.gateway.password.StrengthEstimator;
import com.timereg.gateway.password.VerificationPool;
import com.timereg.gateway.proxy.MicrometerProxyMetrics;
import com.timereg.gateway.proxy.ProxyHandler;
import com.timereg.gateway.proxy.ProxyMetrics;
import com.timereg.gateway.session.MicrometerSessionMetrics;
import com.timereg.gateway.session.SessionAuthenticator;
import com.timereg.gateway.session.SessionCookies;
import com.timereg.gateway.session.SessionService;
import com.timereg.gateway.session.TokenKeys;
import com.timereg.gateway.sso.MicrometerSsoMetrics;
import com.timereg.gateway.sso.SecretReferences;
import com.timereg.gateway.sso.SsoDirectory;
import com.timereg.gateway.sso.SsoRoutes;
import com.timereg.gateway.sso.SsoService;
import com.timereg.gateway.sso.SsoSettings;
import com.timereg.gateway.config.ThrottleConfig;
import com.timereg.gateway.blocks.BlockSync;
import com.timereg.gateway.blocks.MicrometerBlockSyncMetrics;
import com.timereg.gateway.throttle.BlockRegistry;
import com.timereg.gateway.throttle.MicrometerThrottleMetrics;
import com.timereg.gateway.throttle.ThrottleService;
import com.timereg.gateway.throttle.ThrottleStorage;
import io.vertx.core.WorkerExecutor;
import java.util.concurrent.Executor;
import com.timereg.gateway.store.Database;
import com.timereg.gateway.store.Migrations;
import com.timereg.gateway.store.TlsOffer;
import com.timereg.gateway.tls.CertificateReloader;
import com.timereg.gateway.tls.SelfSignedCertificate;
import com.timereg.gateway.tls.ServerTls;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.vertx.core.DeploymentOptions;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.micrometer.MicrometerMetricsOptions;
import java.nio.file.Path;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The composition root: builds every part from the configuration, starts the listeners and stops
 * them in reverse order. Nothing else in the code base constructs subsystems.
 */
public final class Gateway {
  private static final Logger LOG = LoggerFactory.getLogger(Gateway.class);

  private final GatewayConfig config;
  private final Vertx vertx;
  private final PrometheusMeterRegistry registry;
  private final Readiness readiness;
  /** What stops after the listeners, in reverse order of start, each named for the stop's log. */
  private final List<Part> closeables = new ArrayList<>();

  private record Part(String name, AutoCloseable closeable) {}
  /**
   * The access log and its file: closed after Vert.x, when no event loop can log a line any more. Closed with the
   * other parts, the lines of connections cut at the end of the grace (their 499s, logged as the channels close) could
   * come after the writer's last pass and be lost.
   */
  private final List<Part> closedAfterVertx = new ArrayList<>();
  private final List<HttpServer> publicServers = new java.util.concurrent.CopyOnWriteArrayList<>();
  /** The plain-HTTP redirect listener, if any: drained with the public listener. */
  private final List<HttpServer> redirectServers = new java.util.concurrent.CopyOnWriteArrayList<>();
  /** The admin listener: closed last, so that readiness reports STOPPING while the public listener drains. */
  private final List<HttpServer> adminServers = new java.util.concurrent.CopyOnWriteArrayList<>();
  /** The HTTP connections of the public and redirect listeners: the drain at stop is over when they are closed. */
  private final OpenConnections connections = new OpenConnections();
  private final java.util.concurrent.atomic.AtomicBoolean stopped = new java.util.concurrent.atomic.AtomicBoolean();
  /** The Chronicle maps (or their heap stand-ins): closed after Vert.x, when nothing can reach them any more. */
  private ThrottleStorage throttleStorage;
  /** Set once every listener is up: only a gateway that may have been ready waits the shutdown delay. */
  private volatile boolean started;
  private CertificateReloader reloader;
  /** The admin listener's, with {@code admin.tls}; null otherwise. */
  private CertificateReloader adminReloader;
  private final com.timereg.gateway.tls.TlsMetrics tlsMetrics;
  private Database database;
  private ThrottleService throttle;
  private BlockSync blockSync;
  private RecentLoginEvents loginEvents;
  private SessionService sessions;
  private LoginService logins;
  private PasswordChangeService passwordChanges;
  private SsoService sso;

  /** How long stopping waits for verifications already accepted. */
  static final long VERIFICATION_GRACE_MILLIS = 5_000;

  /** How often blocks expire, surge mode is re-evaluated and idle counters are swept. */
  static final java.time.Duration HOUSEKEEPING_INTERVAL = java.time.Duration.ofSeconds(30);

  /**
   * Requests that try credentials: a block always covers them, whatever the scope. Refresh and
   * revoke are not among them: they present a session rather than guess one, and refusing an app's
   * refresh would sign out the colleagues behind a blocked office address within minutes. Whole path
   * segments only: a backend path that merely begins with the same letters ({@code /passwords-report})
   * is the backend's, and the scope decides it like any other.
   */
  static final java.util.function.Predicate<io.vertx.ext.web.RoutingContext> LOGIN_PATHS = ctx -> {
    String p = ctx.normalizedPath();
    return p.equals("/login") || p.startsWith("/login/") || p.startsWith("/sso/")
        || p.equals("/password") || p.startsWith("/password/")
        || p.startsWith("/auth/") && !p.equals("/auth/refresh") && !p.equals("/auth/revoke");
  };

  /**
   * An app renewing or ending its session: the refresh token is in the body, where the session step does not look.
   * Revoking with it alone (an app whose access token ran out signing out) is let through like a refresh: it tells
   * a guesser nothing (an unknown token is answered as a known one), and refused, the session would live on.
   */
  static final java.util.function.Predicate<io.vertx.ext.web.RoutingContext> SESSION_RENEWAL = ctx -> {
    String p = ctx.normalizedPath();
    return p.equals("/auth/refresh") || p.equals("/auth/revoke");
  };
  /** What the throttle's windows, blocks and success headroom are measured by. */
  private Clock throttleClock = Clock.systemUTC();
  private int publicPort;
  private int adminPort;
  private boolean adminUrlWritten;
  private int redirectPort;

  private Gateway(GatewayConfig config) {
    this.config = config;
    this.registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    this.tlsMetrics = new com.timereg.gateway.tls.MicrometerTlsMetrics(registry);
    this.vertx = Vertx.builder()
        .with(new VertxOptions().setPreferNativeTransport(true).setMetricsOptions(new MicrometerMetricsOptions().setEnabled(true).setJvmMetricsEnabled(true)
            // LOCAL tells the public, admin and redirect listeners apart; REMOTE stays off, since
            // client addresses as a label would grow the registry without bound.
            .addLabels(io.vertx.micrometer.Label.LOCAL)))
        .withMetrics(new com.timereg.gateway.metrics.LeanVertxMetricsFactory(registry))
        .build();
    this.readiness = new Readiness(vertx);
  }

  /** Starts everything; blocking work (certificates, migrations) happens on the calling thread. */
  public static Gateway start(GatewayConfig config) throws Exception {
    return start(config, Clock.systemUTC());
  }

  /** {@link #start(GatewayConfig)} with the clock the throttle counts by, for tests that let time pass without sleeping. */
  static Gateway start(GatewayConfig config, Clock throttleClock) throws Exception {
    Gateway g = new Gateway(config);
    g.throttleClock = throttleClock;
    try {
      g.startAll();
      g.started = true;
      return g;
    } catch (Exception | Error e) {
      try {
        g.stop();
      } catch (Error stopError) {
        // The start's failure is the one to report; the stop has logged its own.
        e.addSuppressed(stopError);
      }
      throw e;
    }
  }

  private void startAll() throws Exception {
    LOG.info("effective configuration:{}", config.describe());
    startDatabase();
    startThrottle();
    startSessionsAndLogin();
    startSso();
    ServerTls tls = ServerTls.select(config.tls().engine());
    LOG.info("TLS engine: {}", tls.engineName());
    if (vertx.isNativeTransportEnabled()) {
      LOG.info("network transport: native epoll");
    } else {
      LOG.info("network transport: JDK NIO (native epoll unavailable: {})", vertx.unavailableNativeTransportCause());
    }
    reloader = certificates(tls);
    ServerTls.KeyMaterial material = reloader.readNow();

    ListenerSettings pub = config.publicListener();
    HttpServerOptions publicOptions = tls.apply(closingIdle(new HttpServerOptions(), pub)
        .setHost(pub.host())
        .setMaxHeaderSize(pub.maxHeaderSize())
        .setMaxInitialLineLength(pub.maxInitialLineLength())
        .setUseProxyProtocol(pub.proxyProtocol())
        // WebSockets are tunnelled to the backend as raw bytes (proxy.WebSocketTunnel), so the client
        // and the backend negotiate compression between them; the gateway's own WebSocket extension
        // handler would only sit in every connection's pipeline and cost each response a pass.
        .setPerMessageWebSocketCompressionSupported(false)
        .setPerFrameWebSocketCompressionSupported(false), material);
    // The same bound on a request's headers over HTTP/2 (SETTINGS_MAX_HEADER_LIST_SIZE; Vert.x's own is 8k,
    // whatever max-header-size says): 431 above it, GOAWAY from a quarter above it (Netty).
    publicOptions.getInitialSettings().setMaxHeaderListSize(pub.maxHeaderSize());
    publicPort = listening("public", pub.host(), pub.port(), () -> deployPublic(publicOptions, pub.port(), pub.eventLoops()));
    reloader.start(config.tls().reloadInterval());
    LOG.info("public HTTPS listener on {}:{} ({} event loops)", pub.host(), publicPort, pub.eventLoops());

    // The admin and redirect listeners close silent connections after public.idle-timeout as well: held-open
    // connections would otherwise use up file descriptors for ever (the redirect listener faces the internet).
    io.vertx.ext.web.Router adminRouter = AdminRouter.create(vertx, readiness, registry, securityConsole());
    HttpServerOptions adminOptions = adminOptions(tls);
    java.util.Set<io.vertx.core.http.HttpConnection> adminConnections =
        java.util.concurrent.ConcurrentHashMap.newKeySet();
    HttpServer admin = listening("admin", config.admin().host(), config.admin().port(), () -> await(
        vertx.createHttpServer(closingIdle(adminOptions, pub))
        .connectionHandler(c -> {
          adminConnections.add(c);
          c.closeHandler(v -> adminConnections.remove(c));
        })
        // With admin.tls the listener speaks HTTP/2 (ALPN), where Vert.x sends the body of an answer to a HEAD
        // (HeadOverHttp2): curl -I --http2 of a health check or the metrics was reset with PROTOCOL_ERROR.
        .requestHandler(request -> adminRouter.handle(HeadOverHttp2.wrapIfHead(request)))
        .invalidRequestHandler(AdminRouter::invalidRequest)
        // Host named again: listen(port) alone binds 0.0.0.0, whatever the options say.
        .listen(config.admin().port(), config.admin().host())));
    adminServers.add(admin);
    adminPort = admin.actualPort();
    if (adminReloader != null) {
      adminReloader.register(admin);
      // A client CA rotated on disk (the old one leaked) checks new handshakes only: a connection let in with the
      // old CA's certificate would go on being served as that staff member for as long as it is kept busy (an
      // HTTP/2 or keep-alive connection is closed only when idle). Those that presented a certificate are closed,
      // so each client handshakes again against the CA now in use; the others never counted on one.
      adminReloader.onTrustApplied(() -> adminConnections.stream().filter(Gateway::presentedCertificate)
          .forEach(io.vertx.core.http.HttpConnection::close));
      adminReloader.start(config.tls().reloadInterval());
    }
    LOG.info("admin listener on {}://{}:{}", config.admin().tls().enabled() ? "https" : "http",
        config.admin().host(), adminPort);
    try {
      AdminListenerUrl.write(config.dataDir(),
          AdminListenerUrl.of(config.admin().tls().enabled(), config.admin().host(), adminPort));
      adminUrlWritten = true;
    } catch (java.io.IOException e) {
      LOG.warn("could not write {} in {} (the image's health check reads it): {}", AdminListenerUrl.FILE_NAME,
          config.dataDir(), e.toString());
    }

    if (config.redirect().enabled()) {
      String fallbackHost = config.publicListener().allowedHosts().stream()
          .filter(h -> !h.startsWith(".")).findFirst().orElse(null);
      // The port clients reach the public listener at, which a port mapping (-p 443:8443) or a forwarding
      // firewall makes another than the one bound here: a redirect to the bound one led nowhere.
      int httpsPort = config.redirect().httpsPort() == RedirectSettings.PUBLIC_PORT ? publicPort
          : config.redirect().httpsPort();
      HttpServer redirect = listening("http-redirect", config.redirect().host(), config.redirect().port(),
          () -> await(vertx.createHttpServer(closingIdle(new HttpServerOptions()
              .setHost(config.redirect().host())
              // HTTP/1.x only: Vert.x speaks cleartext HTTP/2 (h2c upgrade, prior knowledge) unless told not to,
              // which would open a second protocol, with its own limits, on a listener facing the internet.
              .setHttp2ClearTextEnabled(false)
              .setMaxHeaderSize(pub.maxHeaderSize())
              .setMaxInitialLineLength(pub.maxInitialLineLength()), pub))
          .connectionHandler(connections::add)
          .requestHandler(req -> RedirectListener.handle(req, httpsPort, fallbackHost,
              config.publicListener()::allowsHost))
          .listen(config.redirect().port(), config.redirect().host())));
      redirectServers.add(redirect);
      redirectPort = redirect.actualPort();
      LOG.info("plain-HTTP redirect listener on {}:{}", config.redirect().host(), redirectPort);
    }
  }

  private static boolean presentedCertificate(io.vertx.core.http.HttpConnection connection) {
    try {
      return connection.isSsl() && !connection.peerCertificates().isEmpty();
    } catch (javax.net.ssl.SSLPeerUnverifiedException none) {
      return false;
    }
  }

  /**
   * A listener's bind, whose failure names the listener, its address and the key that moves it: the network
   * library's own says only "bind(..) failed with error(-98): Address already in use", with no port, which left a
   * newcomer whose 8443 or 9090 was taken guessing.
   */
  private static <T> T listening(String listener, String host, int port, java.util.concurrent.Callable<T> bind)
      throws Exception {
    try {
      return bind.call();
    } catch (Exception e) {
      throw new java.io.IOException("the " + listener + " listener cannot listen on " + host + ":" + port + " ("
          + (e.getMessage() != null ? e.getMessage() : e.getClass().getName()) + "); choose another " + listener
          + ".port", e);
    }
  }

  static HttpServerOptions closingIdle(HttpServerOptions options, ListenerSettings pub) {
    // In milliseconds, as configured: whole seconds would cut 1900ms to 1 s, below the waits the start checked
    // against it (backend.response-timeout, throttle.account-max-delay).
    return options.setIdleTimeout((int) pub.idleTimeout().toMillis()).setIdleTimeoutUnit(TimeUnit.MILLISECONDS);
  }

  /**
   * The access log of {@code public.access-log}: standard output, a file opened for appending (a file that
   * cannot be opened stops the start; created owner and group only, opened again when rotated), or none.
   * Closed, with what is still queued written, after Vert.x has stopped (so after the last connection is gone).
   */
  private AccessLog accessLog() throws java.io.IOException {
    String target = config.publicListener().accessLog();
    if (target.equals(ListenerSettings.ACCESS_LOG_OFF)) {
      return AccessLog.OFF;
    }
    java.io.OutputStream out;
    if (target.equals(ListenerSettings.ACCESS_LOG_STDOUT)) {
      out = new java.io.FileOutputStream(java.io.FileDescriptor.out);
    } else {
      try {
        out = com.timereg.gateway.accesslog.AccessLogFile.open(java.nio.file.Path.of(target));
      } catch (java.io.IOException e) {
        // The exception names only a path (maybe a parent directory): say which setting it came from.
        String why = e instanceof java.nio.file.FileSystemException f && f.getReason() != null ? f.getReason()
            : e instanceof java.nio.file.AccessDeniedException ? "permission denied"
            : e instanceof java.nio.file.FileSystemException f ? e.getClass().getSimpleName() + " " + f.getFile()
            : e.getMessage();
        throw new java.io.IOException("public.access-log " + target + " cannot be opened for appending: " + why, e);
      }
      closedAfterVertx.add(new Part("the access-log file", out));
    }
    JsonLinesAccessLog log = new JsonLinesAccessLog(out, Clock.systemUTC());
    closedAfterVertx.add(new Part("the access log", log));
    io.micrometer.core.instrument.FunctionCounter.builder("gateway.access_log.dropped", log,
            JsonLinesAccessLog::dropped)
        .description("Access-log lines dropped because the output could not keep up")
        .register(registry);
    LOG.info("access log: {}", target);
    return log;
  }

  /** Migrates the schema before anything listens, so no request ever meets an old schema. */
  private void startDatabase() {
    Migrations.Outcome outcome = Migrations.migrate(config.database());
    LOG.info("database {} at schema version {} ({} migration(s) applied now)",
        config.database().connection().database(), outcome.schemaVersion(), outcome.migrationsExecuted());
    Database database = Database.create(vertx, TlsOffer.settle(config.database()));
    closeables.add(new Part("the database pool", () -> await(database.close())));
    readiness.register("postgresql", () -> database.ping().map("reachable"));
    this.database = database;
  }

  /** Opens (or recovers) the Chronicle maps and schedules their housekeeping. */
  private void startThrottle() throws Exception {
    ThrottleConfig tc = config.throttle();
    ThrottleStorage storage = ThrottleStorage.open(tc.storage());
    // Closed after Vert.x, not with the other parts: a login or housekeeping task still finishing on an
    // event loop or worker must find the maps open, not a closed map that throws at it.
    throttleStorage = storage;
    // The maps' lock makes this the data directory's only gateway: a URL file still there was left by one that
    // never stopped (kill -9, a crash), and until this start writes its own the health check would ask the old one.
    try {
      if (AdminListenerUrl.delete(config.dataDir())) {
        LOG.info("removed the {} left by a gateway that did not stop", AdminListenerUrl.FILE_NAME);
      }
    } catch (java.io.IOException e) {
      LOG.warn("could not remove the {} left by a gateway that did not stop: {}", AdminListenerUrl.FILE_NAME,
          e.toString());
    }
    WorkerExecutor sweeper = vertx.createSharedWorkerExecutor("throttle-housekeeping", 1);
    closeables.add(new Part("the throttle sweeper", () -> await(sweeper.close())));
    Executor sweepExecutor = task -> sweeper.executeBlocking(() -> {
      task.run();
      return null;
    }, false);
    throttle = new ThrottleService(tc.policy(), new ClientKeys(tc.keys()), storage.clients(), storage.ranges(),
        new BlockRegistry(), throttleClock, new MicrometerThrottleMetrics(registry), sweepExecutor);
    // Blocks and staff edits are shared with the other nodes; the configured allowlist rides along
    // and survives every reload from the tables.
    BlockSync sync = new BlockSync(vertx, database, throttle, tc.sync(), Clock.systemUTC(), new MicrometerBlockSyncMetrics(registry));
    closeables.add(new Part("block sharing", () -> await(sync.close())));
    await(sync.start());
    readiness.register("block-sync", () -> sync.synced()
        ? Future.succeededFuture("listening as node " + sync.nodeId())
        : Readiness.down("not listening for block changes from other nodes"));
    blockSync = sync;
    loginEvents = new RecentLoginEvents(config.admin().loginEventCapacity(), Clock.systemUTC(), sync.nodeId().value());
    long timer = vertx.setPeriodic(HOUSEKEEPING_INTERVAL.toMillis(), id -> sweepExecutor.execute(throttle::maintain));
    closeables.add(new Part("the throttle housekeeping timer", () -> vertx.cancelTimer(timer)));
  }

  /** The console and its API: local callers on loopback; client certificates or staff sessions beyond. */
  private SecurityConsole securityConsole() {
    SessionVerifier verifier = token -> sessions.verify(token)
        .map(id -> new SessionVerifier.SessionUser(id.userId(), id.loginName()));
    AdminAccess access = new AdminAccess(AdminAccess.modeFor(config.admin()), verifier,
        new StaffDirectory(database.pool(), config.admin().staffRole(), config.admin().viewerRole()),
        SessionCookies.ACCESS);
    return new SecurityConsole(throttle, blockSync, config.throttle().allowlist(), loginEvents, access, Clock.systemUTC());
  }

  /** Sessions (keys, revocation feed), the verification pool and the login flow. */
  private void startSessionsAndLogin() throws Exception {
    TokenKeys keys = TokenKeys.load(config.session().keys());
    SessionService sessionService = SessionService.create(vertx, database, config.session().settings(), keys,
        new MicrometerSessionMetrics(registry), Clock.systemUTC());
    closeables.add(new Part("the session service", () -> await(sessionService.stop())));
    await(sessionService.start());
    sessions = sessionService;

    VerificationPool pool = VerificationPool.create(vertx, config.password());
    closeables.add(new Part("the password verification pool", () -> await(pool.close(VERIFICATION_GRACE_MILLIS))));
    PasswordVerifier verifier = new PasswordVerifier(pool, new DjangoPbkdf2Hasher(config.password().iterations()),
        new MicrometerPasswordMetrics(registry));
    LOG.info("PBKDF2 backend: {}", Pbkdf2Sha256.backend());
    UserDirectory users = new UserDirectory(database.pool());
    logins = new LoginService(vertx, users, verifier, throttle, sessions, new MicrometerLoginMetrics(registry),
        loginEvents, admissionWait());
    startPasswordChange(pool, verifier, users);
  }

  /**
   * The breach set (opened on its worker, then watched for replacement) and the password change.
   * No set is not a reason to stay out of the load balancer: logins and proxying work without one,
   * only password changes are refused, and readiness says so in the check's detail.
   */
  private void startPasswordChange(VerificationPool pool, PasswordVerifier verifier, UserDirectory users) throws Exception {
    BreachSet breaches = new BreachSet(vertx, config.hibp(), new MicrometerBreachSetMetrics(registry),
        com.timereg.gateway.tls.KeyFileMode::breachSetRefusal);
    closeables.add(new Part("the breach set", () -> await(breaches.close())));
    await(breaches.start());
    readiness.register("hibp-set", () -> Future.succeededFuture(breaches.describe()));
    // Reads the extra word lists: blocking, hence here on the start-up thread.
    PasswordPolicyChecker checker = new PasswordPolicyChecker(StrengthEstimator.create(config.password()));
    PasswordChangeMetrics metrics = new MicrometerPasswordChangeMetrics(registry);
    passwordChanges = new PasswordChangeService(vertx, users, verifier,
        new NewPasswordChecks(pool, checker, breaches, config.hibp().allowWithoutSet(), metrics),
        throttle, sessions, metrics, loginEvents, admissionWait());
  }

  /** A password attempt's wait for its address's verifications in flight, ended before the idle timeout. */
  private java.time.Duration admissionWait() {
    return LoginService.admissionWait(config.publicListener().idleTimeout(), config.throttle().policy().accountMaxDelay());
  }

  /**
   * Microsoft sign-in. Without a public address, customers that use it cannot sign in with
   * Microsoft (they are told so); that is logged loudly but does not stop the gateway, since one
   * customer's setting must not take every customer's sign-in down at the next restart.
   */
  private void startSso() throws Exception {
    SsoSettings settings = config.sso().settings();
    sso = new SsoService(vertx, database.pool(), settings, new SecretReferences(vertx, config.sso().environment(),
        com.timereg.gateway.tls.KeyFileMode::secretFileRefusal),
        () -> publicPort, sessions, throttle, throttleClock, new MicrometerSsoMetrics(registry),
        blockSync.nodeId().toString(), Clock.systemUTC());
    sso.startHousekeeping();
    closeables.add(new Part("SSO", sso::stop));
    if (settings.publicBaseUrl().isEmpty() && !settings.devMode()
        && await(new SsoDirectory(database.pool()).anyCustomerUsesSso())) {
      LOG.error("customers use Microsoft sign-in but sso.public-base-url is not set: their Microsoft sign-ins will be "
          + "refused until it is (the redirect URI is <public-base-url>{})", SsoSettings.CALLBACK_PATH);
    }
  }

  /** A session of some kind is presented; whether it is valid is for the session step to say. */
  static boolean carriesCredentials(io.vertx.core.http.HttpServerRequest request) {
    String auth = request.getHeader("Authorization");
    return (auth != null && auth.regionMatches(true, 0, "Bearer ", 0, 7))
        || request.getCookie(SessionCookies.ACCESS) != null
        || request.getCookie(SessionCookies.REFRESH) != null;
  }

  /**
   * The admin listener's options; with {@code admin.tls} its certificate and client CA are read (blocking, on the
   * start-up thread) by a reloader of its own, so that it follows its files as the public one does, with the same
   * checks, and the client CA as well.
   */
  private HttpServerOptions adminOptions(ServerTls tls) throws java.io.IOException {
    com.timereg.gateway.admin.AdminTlsSettings t = config.admin().tls();
    if (!t.enabled()) {
      return AdminListener.options(config.admin(), tls, null, null);
    }
    adminReloader = AdminListener.reloader(vertx, t, tls, Clock.systemUTC(), tlsMetrics);
    ServerTls.KeyMaterial material = adminReloader.readNow();
    return AdminListener.options(config.admin(), tls, material, adminReloader.trustInUse());
  }

  private CertificateReloader certificates(ServerTls tls) throws java.io.IOException {
    if (config.tls().selfSigned()) {
      SelfSignedCertificate self = SelfSignedCertificate.loadOrCreate(config.tls().selfSignedDir(), Clock.systemUTC());
      LOG.warn("no tls.cert-file configured: {} a self-signed certificate for localhost, for local use only; "
          + "SHA-256 fingerprint {}", self.generated() ? "generated" : "reusing", self.fingerprint());
      return new CertificateReloader(vertx, self.certFile(), self.keyFile(), tls, Clock.systemUTC(), "public", tlsMetrics);
    }
    Path cert = config.tls().certFile().orElseThrow();
    Path key = config.tls().keyFile().orElseThrow();
    if (config.publicListener().allowedHosts().isEmpty()) {
      // Not refused outright: a load balancer's health check by IP address would fail with it, and the
      // backend's own host check (Django's ALLOWED_HOSTS) still stands behind this one.
      LOG.warn("public.allowed-hosts is empty: requests naming any host are served, and the backend sees that "
          + "host in X-Forwarded-Host (links built from it can point anywhere); list the host names served here");
    }
    return new CertificateReloader(vertx, cert, key, tls, Clock.systemUTC(), "public", tlsMetrics);
  }

  /**
   * Deploys one listener per event loop; the instances share one port, so connections spread
   * over all event loops instead of queueing on one. Port 0 becomes -1: in Vert.x, servers bound
   * to the same negative port share one random port, while each bind to 0 would get its own.
   */
  private int deployPublic(HttpServerOptions options, int port, int instances) throws Exception {
    LoginRoutes loginRoutes = new LoginRoutes(logins, sessions, ClientAddressHandler::of, Clock.systemUTC(),
        config.sso().settings().authorityOrigin());
    PasswordRoutes passwordRoutes = new PasswordRoutes(passwordChanges, ClientAddressHandler::of,
        CheckRateLimiter.defaults(Clock.systemUTC()));
    SsoRoutes ssoRoutes = new SsoRoutes(sso, sessions, ClientAddressHandler::of, Clock.systemUTC());
    PublicRouter.Steps steps = new PublicRouter.Steps(
        config.publicListener().hstsMaxAge(),
        new ClientAddressHandler(new ClientAddressResolver(config.throttle().trustedProxies()),
            config.publicListener().proxyProtocol()),
        new BlockHandler(throttle, config.throttle().scope(), LOGIN_PATHS, Gateway::carriesCredentials,
            SESSION_RENEWAL, ctx -> SessionAuthenticator.identity(ctx).isPresent(), registry),
        sessions.authenticator(),
        router -> {
          loginRoutes.mount(router);
          passwordRoutes.mount(router);
          ssoRoutes.mount(router);
        },
        new AuthenticationGate(config.backend()::isPublicPath,
            host -> !config.publicListener().allowedHosts().isEmpty() && config.publicListener().allowsHost(host)),
        config.publicListener()::allowsHost,
        accessLog());
    ProxyMetrics proxyMetrics = new MicrometerProxyMetrics(registry);
    long maxBody = config.publicListener().maxBodySize();
    // One for the node: the cap on a session's tunnels would otherwise be per event loop.
    com.timereg.gateway.proxy.TunnelQuota tunnelQuota =
        new com.timereg.gateway.proxy.TunnelQuota(config.backend().maxTunnelsPerSession(), throttle.clientKeys());
    java.util.function.Function<Vertx, ProxyHandler> proxies =
        v -> ProxyHandler.create(v, config.backend(), proxyMetrics, maxBody, sessions::isRevoked, Clock.systemUTC(),
            tunnelQuota);
    java.util.function.Consumer<HttpServer> onListening = s -> {
      publicServers.add(s);
      reloader.register(s);
    };
    HttpServerOptions bound = new HttpServerOptions(options).setPort(port == 0 ? -1 : port);
    io.micrometer.core.instrument.Counter lingered = LingeringClose.meter(registry);
    await(vertx.deployVerticle(() -> new PublicVerticle(bound, steps, proxies, onListening, connections, lingered),
        new DeploymentOptions().setInstances(instances)));
    java.util.Set<Integer> ports = new java.util.HashSet<>();
    publicServers.forEach(s -> ports.add(s.actualPort()));
    if (ports.size() != 1) {
      throw new IllegalStateException("public listener instances bound different ports: " + ports);
    }
    return ports.iterator().next();
  }

  static <T> T await(Future<T> f) throws Exception {
    return await(f, 60_000);
  }

  private static <T> T await(Future<T> f, long timeoutMillis) throws Exception {
    try {
      return f.toCompletionStage().toCompletableFuture().get(timeoutMillis, TimeUnit.MILLISECONDS);
    } catch (java.util.concurrent.ExecutionException e) {
      if (e.getCause() instanceof Exception ex) {
        throw ex;
      }
      throw e;
    }
  }

  public int publicPort() {
    return publicPort;
  }

  public int adminPort() {
    return adminPort;
  }

  /** The closes of public connections that lingered so far ({@link LingeringClose#meter}; for tests). */
  long lingeringCloses() {
    return (long) registry.counter(LingeringClose.METER).count();
  }

  /** The open HTTP connections of the public and redirect listeners (for tests). */
  int openConnections() {
    return connections.size();
  }

  public int redirectPort() {
    return redirectPort;
  }

  public Vertx vertx() {
    return vertx;
  }

  public Readiness readiness() {
    return readiness;
  }

  public ThrottleService throttle() {
    return throttle;
  }

  public BlockSync blockSync() {
    return blockSync;
  }

  /** Where login outcomes go for the console's recent events (the login flow reports to it). */
  public SecurityEvents securityEvents() {
    return loginEvents;
  }

  public SessionService sessions() {
    return sessions;
  }

  public Database database() {
    return database;
  }

  /**
   * Stops gracefully, as a rolling deploy needs: readiness reports STOPPING (503) at once; after
   * {@code public.shutdown-delay} the public and redirect listeners take no new connections and close idle
   * ones, and every request already being answered gets up to {@code public.shutdown-grace} to finish (an
   * HTTP/1.1 answer then says {@code Connection: close}, an HTTP/2 connection gets a GOAWAY); what is still
   * open after that is closed. Then the admin listener, the timers and the parts behind them stop in
   * reverse order, then Vert.x, then the access log (so that the lines of connections cut at the end of the grace are written) and the throttle maps (so that no late task meets them closed). A start that failed half-way stops the same way but without the delay. Every step
   * runs whatever the one before it threw, an {@link Error} included; the last line of the log says which failed,
   * and the first Error is thrown again once all have run. Only the first call does anything; it blocks, so not on
   * an event loop.
   */
  public void stop() {
    if (!stopped.compareAndSet(false, true)) {
      return;
    }
    StopSteps steps = new StopSteps();
    steps.run("reporting STOPPING", readiness::stopping);
    ListenerSettings pub = config.publicListener();
    // A start that failed half-way was never ready, so no load balancer has to notice it leaving.
    if (started && !publicServers.isEmpty() && pub.shutdownDelay().toMillis() > 0) {
      LOG.info("stopping: readiness reports STOPPING; new connections are still taken for {} s",
          pub.shutdownDelay().toMillis() / 1000.0);
      steps.run("waiting before the drain",
          () -> await(vertx.timer(pub.shutdownDelay().toMillis()), pub.shutdownDelay().toMillis() + 10_000));
    }
    if (reloader != null) {
      steps.run("stopping the certificate reloader", reloader::stop);
    }
    if (adminReloader != null) {
      steps.run("stopping the admin certificate reloader", adminReloader::stop);
    }
    List<HttpServer> draining = new ArrayList<>(publicServers);
    draining.addAll(redirectServers);
    long grace = pub.shutdownGrace().toMillis();
    if (!publicServers.isEmpty()) {
      LOG.info("stopping: no new connections; requests in flight have up to {} s to finish", grace / 1000.0);
    }
    steps.run("closing the public listeners", () -> {
      // Over when every HTTP connection has closed (OpenConnections), not when every channel has: a client still in
      // its TLS handshake has nothing in flight and is not waited for.
      Future<Void> connectionsClosed = connections.drain(grace);
      Future<?> channelsClosed = Future.join(draining.stream().map(s -> s.shutdown(grace, TimeUnit.MILLISECONDS)).toList());
      await(Future.any(connectionsClosed, channelsClosed), grace + 10_000);
    });
    steps.run("closing the admin listener", () -> await(Future.join(adminServers.stream().map(HttpServer::close).toList())));
    if (adminUrlWritten) {
      steps.run("removing " + AdminListenerUrl.FILE_NAME, () -> AdminListenerUrl.delete(config.dataDir()));
    }
    for (int i = closeables.size() - 1; i >= 0; i--) {
      Part part = closeables.get(i);
      steps.run("stopping " + part.name(), part.closeable()::close);
    }
    steps.run("stopping Vert.x", () -> await(vertx.close()));
    for (int i = closedAfterVertx.size() - 1; i >= 0; i--) {
      Part part = closedAfterVertx.get(i);
      steps.run("stopping " + part.name(), part.closeable()::close);
    }
    if (throttleStorage != null) {
      steps.run("closing the throttle maps", throttleStorage::close);
    }
    steps.run("closing the meter registry", registry::close);
    steps.end();
  }

  /**
   * The steps of {@link #stop}: each runs whatever the one before it threw, an {@link Error} included (an
   * OutOfMemoryError, a StackOverflowError, a LinkageError from a jar replaced under the process), since one that
   * skipped the rest left the throttle maps unclosed (recovered at the next start) and their lock held, listeners
   * open and Vert.x running. The end says whether every step went well; an Error is thrown again once all have run,
   * so the caller (the shutdown hook) reports it as well and nothing swallows it.
   */
  private static final class StopSteps {
    interface Step {
      void run() throws Exception;
    }

    private final List<String> failed = new ArrayList<>();
    private Error firstError;

    void run(String what, Step step) {
      try {
        step.run();
      } catch (Exception e) {
        failed.add(what);
        LOG.warn("error while {}: {}", what, e.toString());
      } catch (Error e) {
        failed.add(what);
        LOG.error("error while {}: {}", what, e.toString());
        if (firstError == null) {
          firstError = e;
        } else if (firstError != e) {
          firstError.addSuppressed(e);
        }
      }
    }

    void end() {
      if (failed.isEmpty()) {
        LOG.info("stopped");
      } else {
        LOG.warn("stopped, every step run; {} failed: {}", failed.size(), String.join("; ", failed));
      }
      if (firstError != null) {
        throw firstError;
      }
    }
  }

  /** One more part to stop with the others, last in first out (for tests: a part that fails as it stops). */
  void closeAtStop(String name, AutoCloseable part) {
    closeables.add(new Part(name, part));
  }
}
