package com.timereg.gateway.config;

import com.timereg.gateway.admin.AdminSettings;
import com.timereg.gateway.admin.AdminTlsSettings;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;

/** The admin listener and security console, read from {@code admin.*}. */
final class AdminConfig {
  private AdminConfig() {}

  static AdminSettings read(ConfigReader r, ListenerSettings pub) {
    AdminSettings d = AdminSettings.DEFAULTS;
    AdminTlsSettings tls = new AdminTlsSettings(
        readable(r, "admin.tls.cert-file"),
        readable(r, "admin.tls.key-file"),
        readable(r, "admin.tls.client-ca-file"),
        r.enumValue("admin.tls.client-auth", AdminTlsSettings.ClientAuth.class, AdminTlsSettings.ClientAuth.REQUIRED));
    tls.keyFile().filter(Files::isRegularFile).filter(Files::isReadable)
        .ifPresent(p -> r.keyFile("admin.tls.key-file", p));
    // Checked as a key is, though it is public: whoever can add their own CA to it signs themselves staff
    // certificates, and the listener follows the file while it runs.
    tls.clientCaFile().filter(Files::isRegularFile).flatMap(p -> com.timereg.gateway.tls.KeyFileMode.refusal(p,
        "client CA file", "the CA staff certificates are checked against and sign themselves in"))
        .ifPresent(m -> r.problem("admin.tls.client-ca-file", m));
    if (tls.certFile().isPresent() != tls.keyFile().isPresent()) {
      r.problem("admin.tls", "cert-file and key-file go together: give both, or neither for a plain-HTTP loopback listener");
    }
    if (tls.clientCaFile().isPresent() && !tls.enabled()) {
      r.problem("admin.tls.client-ca-file", "client certificates need TLS: set admin.tls.cert-file and key-file too");
    }
    AdminSettings admin = new AdminSettings(
        r.string("admin.host", d.host()),
        r.integer("admin.port", d.port(), 0, 65535),
        tls,
        r.string("admin.staff-role", d.staffRole()),
        r.optionalString("admin.viewer-role"),
        r.integer("admin.login-events", d.loginEventCapacity(), 10, 1_000_000));
    // Fails closed: with one name for both, every viewer would be staff and could edit. Roles are compared exactly
    // (users.roles holds them as written), so two that differ only in letter case are refused too: 'Security' beside
    // 'security' is a typo that would silently make the users holding one of them viewers instead of staff.
    if (admin.viewerRole().isPresent() && admin.viewerRole().get().equals(admin.staffRole())) {
      r.problem("admin.viewer-role", "must differ from admin.staff-role (" + admin.staffRole()
          + "): viewers may only read, staff may edit");
    } else if (admin.viewerRole().isPresent() && admin.viewerRole().get().equalsIgnoreCase(admin.staffRole())) {
      r.problem("admin.viewer-role", "must differ from admin.staff-role (" + admin.staffRole()
          + ") in more than letter case: roles are compared exactly, so users holding '" + admin.viewerRole().get()
          + "' would be read-only viewers and those holding '" + admin.staffRole() + "' staff");
    }
    if (admin.port() != 0 && admin.port() == pub.port()) {
      r.problem("admin.port", "must differ from public.port (" + pub.port() + ")");
    }
    return admin;
  }

  /** A file the gateway must read at start: checked now, so a typo is reported with the rest. */
  private static Optional<Path> readable(ConfigReader r, String key) {
    Optional<Path> p = r.optionalPath(key);
    p.ifPresent(file -> r.readableFile(key, file));
    return p;
  }
}
