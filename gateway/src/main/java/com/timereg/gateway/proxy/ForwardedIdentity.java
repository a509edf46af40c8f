package com.timereg.gateway.proxy;

import io.vertx.ext.web.RoutingContext;
import java.time.Instant;
import java.util.Objects;
import java.util.Optional;

/**
 * Who the gateway has authenticated, as the backend learns it through {@code X-Authenticated-User},
 * {@code X-Authenticated-Customer} and {@code X-Authenticated-Method}.
 *
 * <p>The session step puts it into the routing context; the proxy step reads it. A request without one
 * (a public path) reaches the backend with no identity headers at all.
 *
 * @param user     the user's stable identifier
 * @param customer the customer (tenant) the user belongs to
 * @param method   how the user signed in, e.g. {@code password} or {@code sso}
 * @param session  the session that authenticated the request, or null; never sent to the backend: a WebSocket
 *                 tunnel it opened ends when it is revoked ({@link OpenTunnels})
 * @param sessionExpires when the credentials that authenticated the request expire (the access token's expiry),
 *                 or null; never sent to the backend: a WebSocket tunnel it opened ends then
 */
public record ForwardedIdentity(String user, String customer, String method, String session, Instant sessionExpires) {

  private static final String CONTEXT_KEY = ForwardedIdentity.class.getName();

  public ForwardedIdentity {
    requireText(user, "user");
    requireText(customer, "customer");
    requireText(method, "method");
  }

  /** Without an expiry: a tunnel it opened ends only when the session is revoked. */
  public ForwardedIdentity(String user, String customer, String method, String session) {
    this(user, customer, method, session, null);
  }

  /** Without a session: for what no revocation needs to reach after the answer (a relayed request). */
  public ForwardedIdentity(String user, String customer, String method) {
    this(user, customer, method, null, null);
  }

  /** Called by the session step once the request is authenticated. */
  public static void put(RoutingContext context, ForwardedIdentity identity) {
    context.put(CONTEXT_KEY, Objects.requireNonNull(identity, "identity"));
  }

  public static Optional<ForwardedIdentity> from(RoutingContext context) {
    Object value = context.get(CONTEXT_KEY);
    return value instanceof ForwardedIdentity identity ? Optional.of(identity) : Optional.empty();
  }

  private static void requireText(String value, String name) {
    if (value == null || value.isBlank()) {
      throw new IllegalArgumentException("identity " + name + " must not be blank");
    }
  }
}
