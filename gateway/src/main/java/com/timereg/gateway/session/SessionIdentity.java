package com.timereg.gateway.session;

import java.util.Objects;

/**
 * Who an authenticated request belongs to, as carried by the access token.
 *
 * @param userId the user's id ({@code users.id}); the token's {@code sub}
 * @param customer the customer's slug; the token's {@code cust}
 * @param loginName the login name as stored; the token's {@code name}
 * @param method how the session was started; the token's {@code method}
 * @param sessionId the session (refresh-token family) id; the token's {@code sid}
 */
public record SessionIdentity(long userId, String customer, String loginName, AuthMethod method, String sessionId) {
  public SessionIdentity {
    Objects.requireNonNull(customer, "customer");
    Objects.requireNonNull(loginName, "loginName");
    Objects.requireNonNull(method, "method");
    Objects.requireNonNull(sessionId, "sessionId");
  }
}
