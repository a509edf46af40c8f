package com.timereg.gateway.accesslog;

/**
 * One line per request the public listener answered, for security staff (who did what, from where, before
 * they block or lift an address) and SREs. Called on event loops: an implementation must not block.
 */
public interface AccessLog {
  /** Logs nothing; what a listener uses with {@code access-log.enabled: false}. */
  AccessLog OFF = new AccessLog() {
    @Override
    public boolean enabled() {
      return false;
    }

    @Override
    public void log(AccessEntry entry) {}
  };

  /** Whether {@link #log} writes anything: callers skip building entries when it does not. */
  boolean enabled();

  void log(AccessEntry entry);
}
