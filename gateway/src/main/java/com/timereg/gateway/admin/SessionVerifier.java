package com.timereg.gateway.admin;

import io.vertx.core.Future;

/**
 * Checks a session's access token for the admin listener. The composition root adapts the session
 * package's {@code SessionService.verify(token)} to it; the admin package needs no more of
 * sessions than this, and roles are looked up separately ({@link StaffDirectory}), so a revoked
 * role takes effect at the next request rather than at the token's expiry.
 */
@FunctionalInterface
public interface SessionVerifier {
  /** The user of a valid, unrevoked access token; a failed future for anything else. */
  Future<SessionUser> verify(String accessToken);

  /**
   * @param userId {@code users.id}
   * @param loginName the login name the token carries (display only: roles are read by id)
   */
  record SessionUser(long userId, String loginName) {}
}
