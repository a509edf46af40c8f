package com.timereg.gateway.config;

import com.timereg.gateway.proxy.ProxySettings;
import com.timereg.gateway.throttle.ThrottlePolicy;
import java.time.Duration;

/** Settings each within its range that do not fit the public listener's: checked once, with the rest. */
final class ListenerConsistency {
  private ListenerConsistency() {}

  static void check(ConfigReader r, ListenerSettings pub, ProxySettings backend, ThrottlePolicy throttle) {
    // The idle timeout counts silence on the connection, and a request kept waiting is silence: Vert.x closes the
    // connection unanswered, so a held login is a broken page rather than a slow one, and the documented 504 never
    // leaves. Whatever the gateway makes a request wait must end before it.
    Duration idle = pub.idleTimeout();
    if (throttle.accountMaxDelay().compareTo(idle) >= 0) {
      r.problem("throttle.account-max-delay", "must be shorter than public.idle-timeout (" + idle + "), got "
          + throttle.accountMaxDelay() + ": a login held this long would have its connection closed unanswered");
    }
    if (backend.responseTimeout().compareTo(idle) >= 0) {
      r.problem("backend.response-timeout", "must be shorter than public.idle-timeout (" + idle + "), got "
          + backend.responseTimeout() + ": the connection would be closed unanswered before the 504");
    }
  }
}
