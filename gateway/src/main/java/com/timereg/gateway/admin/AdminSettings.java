package com.timereg.gateway.admin;

import com.timereg.gateway.clientip.IpLiterals;
import java.net.InetAddress;
import java.util.Locale;
import java.util.Optional;

/**
 * The admin listener: health, metrics, and the security console with its API under
 * {@code /admin/}. Loopback by default, so that nothing administrative is reachable from outside
 * unless an operator decides so; see {@link AdminAccess} for what exposing it requires.
 *
 * @param host address to bind; a loopback address opens the console to local callers only
 * @param port port to bind (0: any free port)
 * @param tls TLS of the admin listener, required for the console once it is exposed beyond loopback
 * @param staffRole the role in {@code users.roles} that lets a signed-in user use the console
 * @param viewerRole the role in {@code users.roles} that lets a signed-in user read the console but change
 *     nothing (support staff, auditors); empty: no viewers. Never the staff role.
 * @param loginEventCapacity recent login outcomes kept in memory per node for the console
 */
public record AdminSettings(String host, int port, AdminTlsSettings tls, String staffRole, Optional<String> viewerRole,
    int loginEventCapacity) {
  public static final String DEFAULT_HOST = "127.0.0.1";
  public static final int DEFAULT_PORT = 9090;
  /** The dev user bob@demo.test has it; security staff in production get it in {@code users.roles}. */
  public static final String DEFAULT_STAFF_ROLE = "security";
  /** About a minute of a credential-stuffing wave at the surge threshold, a few hours of a quiet day; ~200 KB. */
  public static final int DEFAULT_LOGIN_EVENT_CAPACITY = 2000;

  public static final AdminSettings DEFAULTS = new AdminSettings(DEFAULT_HOST, DEFAULT_PORT, AdminTlsSettings.NONE,
      DEFAULT_STAFF_ROLE, Optional.empty(), DEFAULT_LOGIN_EVENT_CAPACITY);

  public AdminSettings {
    tls = tls == null ? AdminTlsSettings.NONE : tls;
    viewerRole = viewerRole == null ? Optional.empty() : viewerRole;
  }

  /** Whether {@link #host} is a loopback address or {@code localhost}: then only this machine can connect. */
  public boolean loopback() {
    return isLoopbackHost(host);
  }

  static boolean isLoopbackHost(String host) {
    if (host == null) {
      return false;
    }
    String h = host.strip().toLowerCase(Locale.ROOT);
    if (h.startsWith("[") && h.endsWith("]")) {
      h = h.substring(1, h.length() - 1);
    }
    if (h.equals("localhost")) {
      return true;
    }
    InetAddress a = IpLiterals.parse(h);
    return a != null && a.isLoopbackAddress();
  }
}
