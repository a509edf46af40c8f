package com.timereg.gateway.admin;

import com.timereg.gateway.throttle.FailureKind;
import java.net.InetAddress;

/**
 * The hook through which the login flow tells the security console about login outcomes. Call
 * it once per password or SSO login attempt, after the outcome is known, from any thread (event
 * loop included): implementations are cheap and never block or throw.
 *
 * <p>What is recorded, deliberately: the client address, the time, the outcome and, for failures,
 * the kind. A login name is recorded only when it names an existing user; the text typed into the
 * name field of a failed login is never recorded, because people type their password there.
 *
 * <p>{@link RecentLoginEvents} keeps the recent ones in memory on each node (the console's
 * "events" view and an address's recent logins). Counting is the login flow's own
 * ({@code gateway.login.attempts}).
 */
public interface SecurityEvents {
  /**
   * @param client the client address as the throttle counts it
   * @param loginName the user's stored login name
   * @param method how they signed in, e.g. {@code password} or {@code sso}
   */
  void loginSucceeded(InetAddress client, String loginName, String method);

  /**
   * @param client the client address as the throttle counts it
   * @param knownLoginName the stored login name when the attempt named an existing user, else null
   * @param kind why it failed
   */
  void loginFailed(InetAddress client, String knownLoginName, FailureKind kind);

  /** Records nothing: for parts of the gateway built without a console (tools, some tests). */
  SecurityEvents NONE = new SecurityEvents() {
    @Override
    public void loginSucceeded(InetAddress client, String loginName, String method) {}

    @Override
    public void loginFailed(InetAddress client, String knownLoginName, FailureKind kind) {}
  };
}
