package com.timereg.gateway.admin;

import java.nio.file.Path;
import java.util.Optional;

/**
 * TLS on the admin listener. Without it the console only works on a loopback listener: an exposed
 * plain-HTTP console would carry session tokens in clear text, so {@link AdminAccess} refuses it.
 *
 * @param certFile PEM certificate chain of the admin listener
 * @param keyFile its PEM private key
 * @param clientCaFile PEM CA certificates that sign staff client certificates; empty: no client
 *     certificates, staff sign in with a session
 * @param clientAuth whether a client certificate is required at the handshake or only requested
 */
public record AdminTlsSettings(
    Optional<Path> certFile, Optional<Path> keyFile, Optional<Path> clientCaFile, ClientAuth clientAuth) {

  public static final AdminTlsSettings NONE =
      new AdminTlsSettings(Optional.empty(), Optional.empty(), Optional.empty(), ClientAuth.REQUIRED);

  /** How a configured client CA is used. */
  public enum ClientAuth {
    /**
     * Every connection must present a certificate from the CA (the default: fails closed), health
     * probes and Prometheus included.
     */
    REQUIRED,
    /**
     * A certificate is asked for but not required: probes and scrapers connect without one, while
     * {@code /admin/} still needs a certificate or a staff session.
     */
    REQUESTED
  }

  public AdminTlsSettings {
    certFile = certFile == null ? Optional.empty() : certFile;
    keyFile = keyFile == null ? Optional.empty() : keyFile;
    clientCaFile = clientCaFile == null ? Optional.empty() : clientCaFile;
    clientAuth = clientAuth == null ? ClientAuth.REQUIRED : clientAuth;
  }

  public boolean enabled() {
    return certFile.isPresent() && keyFile.isPresent();
  }

  public boolean clientCertificates() {
    return enabled() && clientCaFile.isPresent();
  }
}
