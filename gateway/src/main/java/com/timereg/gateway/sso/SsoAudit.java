package com.timereg.gateway.sso;

import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Tuple;
import java.net.InetAddress;
import java.time.Clock;
import java.time.ZoneOffset;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The record of Microsoft sign-ins and refusals: a log line at INFO and a row in {@code
 * audit_events} ({@code sso-login}, {@code sso-refused}). Neither ever holds a code, token,
 * nonce, state or secret. Writing the row is best effort: a sign-in does not fail because the
 * audit insert did; the log line is always written.
 */
final class SsoAudit {
  private static final Logger LOG = LoggerFactory.getLogger(SsoAudit.class);
  private static final String INSERT = "INSERT INTO audit_events (at, actor, action, subject, note, details, node) "
      + "VALUES ($1, $2, $3, $4::text::cidr, $5, $6::text::jsonb, $7)";

  private final Pool pool;
  private final String node;
  private final Clock clock;

  SsoAudit(Pool pool, String node, Clock clock) {
    this.pool = pool;
    this.node = node;
    this.clock = clock;
  }

  Future<Void> signedIn(InetAddress client, SsoCustomer customer, SsoUser user, VerifiedIdentity identity, boolean linked, boolean created) {
    String how = created ? " (account created)" : linked ? " (account linked by e-mail)" : "";
    LOG.info("SSO sign-in: user {} ({}) of customer {} from {}{}", user.id(), user.loginName(), customer.slug(),
        client.getHostAddress(), how);
    JsonObject details = new JsonObject().put("customer", customer.slug()).put("user_id", user.id())
        .put("subject", identity.subject()).put("tenant", identity.tenant()).put("linked", linked).put("created", created);
    return insert(client, user.loginName(), "sso-login", "Microsoft sign-in" + how, details);
  }

  /**
   * @param customer null when the sign-in never got as far as knowing it
   * @param loginHint the name typed, or null; not proof of anything
   */
  Future<Void> refused(InetAddress client, SsoCustomer customer, String loginHint, SsoRefusal refusal, String detail) {
    String slug = customer == null ? "(unknown)" : customer.slug();
    // The detail may quote the provider's or the token's words, and the hint is whatever a link said: no line
    // breaks, and no bidirectional override or invisible character, into the log, the note or the details.
    String said = detail == null ? null : IdTokenCheck.visible(detail);
    LOG.info("SSO sign-in refused ({}): {}; customer {}, login name {}, from {}", refusal.tag(), said, slug,
        loginHint == null ? "(none)" : IdTokenCheck.printable(loginHint), client.getHostAddress());
    JsonObject details = new JsonObject().put("reason", refusal.tag()).put("customer", customer == null ? null : slug)
        .put("login_hint", loginHint == null ? null : IdTokenCheck.visible(loginHint));
    return insert(client, null, "sso-refused", refusal.tag() + ": " + said, details);
  }

  /** Never fails: a database that cannot take the row is logged. */
  private Future<Void> insert(InetAddress client, String actor, String action, String note, JsonObject details) {
    String address = client.getHostAddress();
    int scope = address.indexOf('%');
    return pool.preparedQuery(INSERT)
        .execute(Tuple.from(new Object[] {clock.instant().atOffset(ZoneOffset.UTC), actor, action,
            scope < 0 ? address : address.substring(0, scope), note, details.encode(), node}))
        .<Void>mapEmpty()
        .recover(e -> {
          LOG.warn("could not record {} in the audit trail: {}", action, e.toString());
          return Future.succeededFuture();
        });
  }
}
