package com.timereg.gateway.edge;

import com.timereg.gateway.admin.AdminAccess;
import com.timereg.gateway.admin.AdminSettings;
import com.timereg.gateway.admin.AdminTlsSettings;
import com.timereg.gateway.tls.ServerTls;
import com.timereg.gateway.tls.TlsMetrics;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.ClientAuth;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.net.PemTrustOptions;
import java.io.IOException;
import java.nio.file.Files;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Options of the admin listener: plain HTTP on loopback, or TLS with optional client certificates. */
final class AdminListener {
  private static final Logger LOG = LoggerFactory.getLogger(AdminListener.class);

  private AdminListener() {}

  /** Reads the certificate files now, on the start-up thread. */
  static HttpServerOptions options(AdminSettings settings, ServerTls tls, TlsMetrics metrics) throws IOException {
    // HTTP/1.x only without TLS: Vert.x would otherwise accept cleartext HTTP/2 (an h2c upgrade), and a local
    // proxy publishing only /metrics or /health tunnels an upgraded connection (as for WebSockets) unchecked, so
    // every later stream would reach /admin/api as a trusted local caller (AdminListenerH2cSmugglingTest). With
    // TLS, HTTP/2 is negotiated by ALPN, which a proxy cannot pass on blindly.
    HttpServerOptions options = new HttpServerOptions().setHost(settings.host()).setHttp2ClearTextEnabled(false);
    AdminTlsSettings t = settings.tls();
    if (t.enabled()) {
      ServerTls.KeyMaterial material = new ServerTls.KeyMaterial(
          Files.readAllBytes(t.certFile().orElseThrow()), Files.readAllBytes(t.keyFile().orElseThrow()));
      tls.apply(options, material);
      // Read once: the admin listener's certificate is not reloaded, so its gauge keeps this value until a restart.
      ServerTls.notAfter(material.certPem()).ifPresent(notAfter -> metrics.certificateInUse("admin", notAfter));
      if (t.clientCaFile().isPresent()) {
        options.setTrustOptions(new PemTrustOptions().addCertValue(Buffer.buffer(Files.readAllBytes(t.clientCaFile().get()))))
            .setClientAuth(t.clientAuth() == AdminTlsSettings.ClientAuth.REQUIRED ? ClientAuth.REQUIRED : ClientAuth.REQUEST);
      }
    }
    switch (AdminAccess.modeFor(settings)) {
      case LOOPBACK -> LOG.info("security console open to local callers only (admin.host {} is loopback)", settings.host());
      case STAFF -> LOG.info("security console needs {}", t.clientCertificates()
          ? "a client certificate from admin.tls.client-ca-file or a staff session"
          : "a staff session (no admin.tls.client-ca-file configured)");
      default -> LOG.warn("admin.host {} is not loopback and admin.tls is not configured: the security console and "
          + "its API refuse every request; health and metrics stay available", settings.host());
    }
    return options;
  }
}
