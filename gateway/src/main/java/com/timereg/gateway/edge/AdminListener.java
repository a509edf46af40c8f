package com.timereg.gateway.edge;

import com.timereg.gateway.admin.AdminAccess;
import com.timereg.gateway.admin.AdminSettings;
import com.timereg.gateway.admin.AdminTlsSettings;
import com.timereg.gateway.tls.CertificateReloader;
import com.timereg.gateway.tls.ServerTls;
import com.timereg.gateway.tls.TlsMetrics;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.ClientAuth;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.net.PemTrustOptions;
import java.time.Clock;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Options of the admin listener: plain HTTP on loopback, or TLS with optional client certificates. */
final class AdminListener {
  private static final Logger LOG = LoggerFactory.getLogger(AdminListener.class);

  private AdminListener() {}

  /**
   * @param material the certificate and key read at start by the admin listener's {@code CertificateReloader}, which
   *     also reports their expiry; unused without {@code admin.tls}
   * @param clientCa the contents of {@code admin.tls.client-ca-file} read at start by the same reloader, when
   *     configured
   */
  static HttpServerOptions options(AdminSettings settings, ServerTls tls, ServerTls.KeyMaterial material, byte[] clientCa) {
    // HTTP/1.x only without TLS: Vert.x would otherwise accept cleartext HTTP/2 (an h2c upgrade), and a local
    // proxy publishing only /metrics or /health tunnels an upgraded connection (as for WebSockets) unchecked, so
    // every later stream would reach /admin/api as a trusted local caller (AdminListenerH2cSmugglingTest). With
    // TLS, HTTP/2 is negotiated by ALPN, which a proxy cannot pass on blindly.
    HttpServerOptions options = new HttpServerOptions().setHost(settings.host()).setHttp2ClearTextEnabled(false);
    AdminTlsSettings t = settings.tls();
    if (t.enabled()) {
      tls.apply(options, material);
      if (clientCa != null) {
        options.setTrustOptions(new PemTrustOptions().addCertValue(Buffer.buffer(clientCa))).setClientAuth(clientAuth(t));
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

  /**
   * The reloader of the listener's certificate and key and of its client CA ({@code admin.tls.client-ca-file}),
   * which it reads and follows with them: staff rotating their CA on disk expect certificates from the new one to
   * be taken, and the old one's to be refused, without a restart. It names the client-certificate half of the TLS
   * again on every reload: {@code updateSSLOptions} replaces every TLS option, so without it a reload would silently
   * stop asking for (and checking) staff certificates. {@link CertificateReloader#readNow} reads them at start.
   */
  static CertificateReloader reloader(Vertx vertx, AdminTlsSettings t, ServerTls tls, Clock clock, TlsMetrics metrics) {
    return new CertificateReloader(vertx, t.certFile().orElseThrow(), t.keyFile().orElseThrow(), tls, clock, "admin",
        metrics, t.clientCaFile(), (o, clientCa) -> clientCa == null ? o
            : o.setTrustOptions(new PemTrustOptions().addCertValue(Buffer.buffer(clientCa))).setClientAuth(clientAuth(t)));
  }

  private static ClientAuth clientAuth(AdminTlsSettings t) {
    return t.clientAuth() == AdminTlsSettings.ClientAuth.REQUIRED ? ClientAuth.REQUIRED : ClientAuth.REQUEST;
  }
}
