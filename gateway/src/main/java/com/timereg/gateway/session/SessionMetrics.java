package com.timereg.gateway.session;

import java.util.function.IntSupplier;

/** What the session subsystem reports; {@link MicrometerSessionMetrics} exports it. */
public interface SessionMetrics {
  SessionMetrics NOOP = new SessionMetrics() {};

  /** A session started (login): an access and a refresh token were issued. */
  default void sessionIssued(AuthMethod method) {}

  /** A refresh succeeded ({@code failure} null) or was refused for {@code failure}. */
  default void refreshed(RefreshFailure failure) {}

  /** A refresh could not be decided because the database failed. */
  default void refreshError() {}

  /** An exchanged refresh token was presented again; its family was revoked. */
  default void reuseDetected() {}

  /** {@code count} sessions were revoked on this node for {@code reason}. */
  default void revoked(RevocationReason reason, int count) {}

  default void verificationFailed(TokenRejection reason) {}

  /** The notification connection was lost ({@code false}) or (re)established and resynced ({@code true}). */
  default void revocationFeed(boolean connected) {}

  /** Registers a gauge of the in-memory revocation list; called once by the service. */
  default void bindRevocationListSize(IntSupplier size) {}
}
