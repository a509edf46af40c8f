package com.timereg.gateway.admin;

import com.timereg.gateway.clientip.IpLiterals;
import io.vertx.core.Handler;
import io.vertx.core.http.Cookie;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.json.JsonObject;
import io.vertx.core.net.HostAndPort;
import io.vertx.core.net.SocketAddress;
import io.vertx.ext.web.RoutingContext;
import java.net.InetAddress;
import java.security.cert.Certificate;
import java.security.cert.X509Certificate;
import java.util.List;
import javax.naming.InvalidNameException;
import javax.naming.ldap.LdapName;
import javax.naming.ldap.Rdn;
import javax.net.ssl.SSLPeerUnverifiedException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Decides who is calling {@code /admin/} and whether they may, before any route runs. Fails
 * closed: a request is let through only with an actor put into the context ({@link #actor}).
 *
 * <ul>
 *   <li>{@link Mode#LOOPBACK} (the admin host is a loopback address): only this machine can
 *       connect, so local callers are trusted. The actor is {@code local}, or the
 *       {@value #ACTOR_HEADER} header (for scripts and the CLI). The Host header must name a
 *       loopback host, so a web page whose own name resolves to 127.0.0.1 (DNS rebinding) cannot
 *       read the API from the staff member's browser.
 *   <li>{@link Mode#STAFF} (exposed, with TLS): a client certificate the TLS layer verified
 *       against the configured CA (actor: its subject CN), else a session token
 *       ({@code Authorization: Bearer} or the session cookie) of an active user holding the staff
 *       role (actor: their login name), or the viewer role when one is configured: a viewer reads
 *       everything and changes nothing (403 {@code read_only} on every POST and DELETE, decided here,
 *       so a route added later is read-only for viewers without knowing of them). Nothing else: 401,
 *       or 403 without either role. Client certificates are all staff: one CA, one role.
 *   <li>{@link Mode#CLOSED} (exposed without TLS): everything under {@code /admin/} is refused,
 *       since tokens would cross the network in clear. Health and metrics stay reachable.
 * </ul>
 */
public final class AdminAccess implements Handler<RoutingContext> {
  /** Context key of the authenticated actor's name, as it goes into the audit trail. */
  public static final String ACTOR = "gateway.admin.actor";
  /** Context key of the authenticated actor's {@link Role}. */
  public static final String ROLE = "gateway.admin.role";
  /** Names the person behind a local script; ignored unless the admin listener is loopback-only. */
  public static final String ACTOR_HEADER = "X-Admin-Actor";
  public static final String LOCAL_ACTOR = "local";
  static final int MAX_ACTOR_LENGTH = 100;

  private static final Logger LOG = LoggerFactory.getLogger(AdminAccess.class);

  public enum Mode { LOOPBACK, STAFF, CLOSED }

  /** What an actor may do: staff read and edit; viewers (support, auditors) only read. */
  public enum Role { STAFF, VIEWER }

  private final Mode mode;
  private final SessionVerifier sessions;
  private final StaffDirectory staff;
  private final String sessionCookie;

  /**
   * @param sessions verifies session tokens; null when this gateway has no sessions (then only
   *     client certificates open an exposed console)
   * @param staff role lookup for session users; null only together with {@code sessions}
   * @param sessionCookie name of the browser's access-token cookie
   */
  public AdminAccess(Mode mode, SessionVerifier sessions, StaffDirectory staff, String sessionCookie) {
    this.mode = mode;
    this.sessions = sessions;
    this.staff = staff;
    this.sessionCookie = sessionCookie;
    if ((sessions == null) != (staff == null)) {
      throw new IllegalArgumentException("sessions and the staff directory go together");
    }
  }

  /** The mode the settings call for: exposure is decided by the bound address, not by who connects. */
  public static Mode modeFor(AdminSettings settings) {
    if (settings.loopback()) {
      return Mode.LOOPBACK;
    }
    return settings.tls().enabled() ? Mode.STAFF : Mode.CLOSED;
  }

  public Mode mode() {
    return mode;
  }

  /** The actor of a request this handler let through. */
  public static String actor(RoutingContext ctx) {
    return ctx.get(ACTOR);
  }

  /** The role of a request this handler let through. */
  public static Role role(RoutingContext ctx) {
    return ctx.get(ROLE);
  }

  @Override
  public void handle(RoutingContext ctx) {
    switch (mode) {
      case LOOPBACK -> loopback(ctx);
      case STAFF -> staff(ctx);
      default -> ApiResponses.error(ctx, 403, "admin_closed", "The admin API is refused on this listener: it is "
          + "bound beyond loopback without TLS. Configure admin.tls.cert-file and admin.tls.key-file.");
    }
  }

  private void loopback(RoutingContext ctx) {
    HttpServerRequest req = ctx.request();
    if (!isLoopback(req.remoteAddress())) {
      ApiResponses.error(ctx, 403, "forbidden", "The admin API only answers callers on this machine.");
      return;
    }
    HostAndPort authority = req.authority();
    if (authority == null || !AdminSettings.isLoopbackHost(authority.host())) {
      ApiResponses.error(ctx, 421, "misdirected", "Use the admin listener by a loopback name, "
          + "such as 127.0.0.1 or localhost.");
      return;
    }
    String named = req.getHeader(ACTOR_HEADER);
    if (named == null) {
      admit(ctx, LOCAL_ACTOR, Role.STAFF);
      return;
    }
    String actor = named.strip();
    if (!validActor(actor)) {
      ApiResponses.error(ctx, 400, "invalid", ACTOR_HEADER + " must be 1 to " + MAX_ACTOR_LENGTH
          + " printable characters");
      return;
    }
    admit(ctx, actor, Role.STAFF);
  }

  private void staff(RoutingContext ctx) {
    String cn = certificateName(ctx.request());
    if (cn != null) {
      admit(ctx, cn, Role.STAFF);
      return;
    }
    String token = sessionToken(ctx.request());
    if (token == null) {
      ApiResponses.error(ctx, 401, "unauthenticated", sessions == null
          ? "Present a client certificate signed by the admin CA."
          : "Sign in as security staff (session cookie or bearer token), or present a client certificate.");
      return;
    }
    if (sessions == null) {
      ApiResponses.error(ctx, 401, "unauthenticated", "This gateway accepts only client certificates on the admin API.");
      return;
    }
    // Pause before going asynchronous: body bytes arriving meanwhile would be lost, as the body
    // handler after this step has not been installed yet (it resumes the request).
    if (!ctx.request().isEnded()) {
      ctx.request().pause();
    }
    sessions.verify(token).onComplete(verified -> {
      if (verified.failed()) {
        LOG.debug("admin session refused: {}", verified.cause().toString());
        ApiResponses.error(ctx, 401, "unauthenticated", "Your session is not valid any more; sign in again.");
        return;
      }
      staff.member(verified.result().userId()).onComplete(ar -> {
        if (ctx.response().ended()) {
          return;
        }
        if (ar.failed()) {
          // Not knowing the role is not a refusal: the caller may retry shortly.
          LOG.warn("could not read the roles of user {}: {}", verified.result().userId(), ar.cause().toString());
          ctx.response().putHeader("Retry-After", Integer.toString(ApiResponses.RETRY_AFTER_SECONDS));
          ApiResponses.error(ctx, 503, "unavailable", "Your staff role cannot be checked right now; try again shortly.");
        } else if (ar.result().isEmpty()) {
          // The session is valid: name whom it is of and the role needed, so the console says "signed in as …
          // without access" rather than "not signed in", which would send them to sign in again to no avail.
          ApiResponses.json(ctx, 403, new JsonObject().put("error", "forbidden")
              .put("message", "Your account does not have the " + staff.role() + " role needed for the security "
                  + "console" + staff.viewerRole().map(v -> " (or the " + v + " role to read it)").orElse("") + ".")
              .put("actor", verified.result().loginName())
              .put("staffRole", staff.role())
              .put("viewerRole", staff.viewerRole().orElse(null)));
        } else {
          admit(ctx, ar.result().get().loginName(), ar.result().get().role());
        }
      });
    });
  }

  /** Lets an authenticated request through, unless it is a viewer's attempt to change something. */
  private void admit(RoutingContext ctx, String actor, Role role) {
    if (role != Role.STAFF && !readOnly(ctx.request().method())) {
      LOG.info("admin change refused to viewer {}: {} {}", actor, ctx.request().method(), ctx.request().path());
      ApiResponses.error(ctx, 403, "read_only", "Your account has the read-only "
          + staff.viewerRole().orElse("viewer") + " role: you can look at blocks, the allowlist and events, "
          + "but blocking, unblocking and allowlist changes need the " + staff.role() + " role.");
      return;
    }
    ctx.put(ACTOR, actor);
    ctx.put(ROLE, role);
    ctx.next();
  }

  /** Methods that change nothing; everything else (POST, DELETE, and any added later) is an edit. */
  private static boolean readOnly(HttpMethod m) {
    return m == HttpMethod.GET || m == HttpMethod.HEAD || m == HttpMethod.OPTIONS;
  }

  private String sessionToken(HttpServerRequest req) {
    String authorization = req.getHeader("Authorization");
    if (authorization != null && authorization.regionMatches(true, 0, "Bearer ", 0, 7)) {
      String t = authorization.substring(7).strip();
      return t.isEmpty() ? null : t;
    }
    Cookie c = req.getCookie(sessionCookie);
    return c == null || c.getValue().isEmpty() ? null : c.getValue();
  }

  /** The subject CN of a client certificate the handshake verified, or null. */
  static String certificateName(HttpServerRequest req) {
    if (!req.isSSL()) {
      return null;
    }
    List<Certificate> chain;
    try {
      chain = req.connection().peerCertificates();
    } catch (SSLPeerUnverifiedException e) {
      return null;
    }
    if (chain == null || chain.isEmpty() || !(chain.get(0) instanceof X509Certificate x)) {
      return null;
    }
    try {
      List<Rdn> rdns = new LdapName(x.getSubjectX500Principal().getName()).getRdns();
      for (int i = rdns.size() - 1; i >= 0; i--) {
        if (rdns.get(i).getType().equalsIgnoreCase("CN")) {
          String cn = String.valueOf(rdns.get(i).getValue()).strip();
          return validActor(cn) ? cn : null;
        }
      }
    } catch (InvalidNameException e) {
      return null;
    }
    return null;
  }

  static boolean validActor(String s) {
    return !s.isEmpty() && s.length() <= MAX_ACTOR_LENGTH
        && s.codePoints().noneMatch(c -> Character.isISOControl(c) || Character.getType(c) == Character.FORMAT);
  }

  private static boolean isLoopback(SocketAddress peer) {
    InetAddress a = peer == null ? null : IpLiterals.parsePeer(peer.hostAddress());
    return a != null && a.isLoopbackAddress();
  }
}
