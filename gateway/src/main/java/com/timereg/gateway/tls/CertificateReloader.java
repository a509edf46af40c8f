package com.timereg.gateway.tls;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import io.vertx.core.net.ServerSSLOptions;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.function.UnaryOperator;
import java.util.concurrent.CopyOnWriteArrayList;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Watches the certificate and key files and swaps them into every running listener when they
 * change, so a renewed certificate is served without a restart. Existing connections keep their
 * session; new handshakes present the new certificate.
 */
public final class CertificateReloader {
  private static final Logger LOG = LoggerFactory.getLogger(CertificateReloader.class);

  private final Vertx vertx;
  private final Path certFile;
  private final Path keyFile;
  private final ServerTls tls;
  private final java.time.Clock clock;
  private final String listener;
  private final TlsMetrics metrics;
  private final UnaryOperator<ServerSSLOptions> completing;
  private final List<HttpServer> servers = new CopyOnWriteArrayList<>();
  private volatile ServerTls.KeyMaterial lastSeen;
  /** A pair whose certificate is not valid yet, reported once and applied at the first tick after its notBefore. */
  private volatile ServerTls.KeyMaterial waiting;
  /** Within a spell of unreadable files: reported at its start and its end, not on every tick. */
  private volatile boolean unreadable;
  /** Within a spell of a key file others may write: reported at its start and its end, not on every tick. */
  private volatile boolean unsafeKey;
  private long timerId = -1;

  public CertificateReloader(Vertx vertx, Path certFile, Path keyFile, ServerTls tls) {
    this(vertx, certFile, keyFile, tls, java.time.Clock.systemUTC());
  }

  /** @param clock what an expired certificate is told by */
  public CertificateReloader(Vertx vertx, Path certFile, Path keyFile, ServerTls tls, java.time.Clock clock) {
    this(vertx, certFile, keyFile, tls, clock, "public", TlsMetrics.NONE);
  }

  /**
   * @param listener the listener's name in the metrics
   * @param metrics told the not-after of the certificate in use, at {@link #readNow} and after every reload
   */
  public CertificateReloader(Vertx vertx, Path certFile, Path keyFile, ServerTls tls, java.time.Clock clock,
      String listener, TlsMetrics metrics) {
    this(vertx, certFile, keyFile, tls, clock, listener, metrics, UnaryOperator.identity());
  }

  /**
   * @param completing adds what the listener's TLS has besides the key material (the admin listener's client CA
   *     and client-auth): a reload replaces all of a listener's TLS options, not only its certificate
   */
  public CertificateReloader(Vertx vertx, Path certFile, Path keyFile, ServerTls tls, java.time.Clock clock,
      String listener, TlsMetrics metrics, UnaryOperator<ServerSSLOptions> completing) {
    this.completing = completing;
    this.vertx = vertx;
    this.certFile = certFile;
    this.keyFile = keyFile;
    this.tls = tls;
    this.clock = clock;
    this.listener = listener;
    this.metrics = metrics;
  }

  /** Reads both files (blocking: call at start, off the event loop). */
  public ServerTls.KeyMaterial readNow() throws java.io.IOException {
    ServerTls.KeyMaterial m = new ServerTls.KeyMaterial(
        java.nio.file.Files.readAllBytes(certFile), java.nio.file.Files.readAllBytes(keyFile));
    lastSeen = m;
    ServerTls.notAfter(m.certPem()).ifPresent(t -> metrics.certificateInUse(listener, t));
    // Served anyway: there is no other certificate to keep, and refusing would make a restart after an expiry
    // impossible (the listener down as well as the certificate).
    ServerTls.validity(m.certPem()).filter(v -> !v.covers(clock.instant())).ifPresent(v -> LOG.warn(
        "TLS certificate {} is {} at start; clients will refuse it until it is replaced or its time comes", certFile, v));
    return m;
  }

  public void register(HttpServer server) {
    servers.add(server);
  }

  public void start(java.time.Duration interval) {
    timerId = vertx.setPeriodic(interval.toMillis(), id -> checkOnce());
  }

  public void stop() {
    if (timerId >= 0) {
      vertx.cancelTimer(timerId);
    }
  }

  /**
   * One check. Compares contents rather than modification times: a renewal written twice within
   * the file system's timestamp resolution, or copied with preserved times, must still be seen.
   */
  public Future<Boolean> checkOnce() {
    // The key file's mode first (a stat, off the event loop): one that others may write, or in a directory others
    // may write, is not taken, whatever it holds, since anyone on the host could have put it there. Checked on every tick, not only when the contents
    // change, so that a chmod go-w afterwards lets the same files through.
    return vertx.executeBlocking(() -> KeyFileMode.refusal(keyFile)).compose(refusal -> {
      if (refusal.isPresent()) {
        if (!unsafeKey) {
          unsafeKey = true;
          LOG.error("TLS {} not reloaded, keeping the key in use (said once until fixed): {}", keyFile, refusal.get());
        }
        return Future.succeededFuture(false);
      }
      if (unsafeKey) {
        unsafeKey = false;
        LOG.info("TLS key file {} can no longer be replaced by group or others", keyFile);
      }
      return readAndApply();
    });
  }

  private Future<Boolean> readAndApply() {
    return vertx.fileSystem().readFile(certFile.toString())
        .compose(cert -> vertx.fileSystem().readFile(keyFile.toString())
            .map(key -> new ServerTls.KeyMaterial(cert.getBytes(), key.getBytes())))
        .recover(e -> {
          if (!unreadable) {
            unreadable = true;
            LOG.warn("TLS certificate files unreadable, keeping the current certificate (said once until they "
                + "are readable again): {}", e.getMessage());
          }
          return Future.succeededFuture(null);
        })
        .compose(material -> {
          if (material == null) {
            return Future.succeededFuture(false);
          }
          if (unreadable) {
            unreadable = false;
            LOG.info("TLS certificate files {} and {} readable again", certFile, keyFile);
          }
          if (material.sameAs(lastSeen)) {
            return Future.succeededFuture(false);
          }
          // Not valid yet (next month's certificate put in place early): kept waiting rather than remembered as
          // seen, so that the first tick after its notBefore applies it without the files being touched again.
          Instant now = clock.instant();
          Optional<ServerTls.Validity> early = ServerTls.validity(material.certPem()).filter(v -> v.notBefore().isAfter(now));
          if (early.isPresent()) {
            if (!material.sameAs(waiting)) {
              waiting = material;
              LOG.error("TLS certificate in {} not applied yet, keeping the one in use until it is valid "
                  + "(said once): it is {}", certFile, early.get());
            }
            return Future.succeededFuture(false);
          }
          waiting = null;
          // Remember the pair before trying, so a bad pair is reported once, not on every tick;
          // the next write to either file changes the contents and triggers another attempt.
          lastSeen = material;
          return applyToAll(material)
              .onSuccess(v -> {
                ServerTls.notAfter(material.certPem()).ifPresent(t -> metrics.certificateInUse(listener, t));
                LOG.info("TLS certificate reloaded from {} into {} {} listener(s)", certFile, servers.size(), listener);
              })
              .onFailure(e -> LOG.error("TLS certificate change in {} not applied, keeping the previous one: {}",
                  certFile, e.getMessage()))
              .map(true);
        });
  }

  private Future<Void> applyToAll(ServerTls.KeyMaterial material) {
    // Off the event loop: with OpenSSL the options parse the key. A pair that does not parse (e.g. a key file
    // caught half-written) fails here and is reported like a refused update, and so does an expired certificate.
    return vertx.executeBlocking(() -> {
      requireUnexpired(material.certPem(), clock.instant());
      return completing.apply(tls.sslOptions(material));
    }).compose(options -> {
      List<Future<Boolean>> updates = servers.stream().map(s -> s.updateSSLOptions(options, true)).toList();
      return Future.all(updates).mapEmpty();
    });
  }

  /**
   * Refuses a certificate that has expired (an old backup restored, the wrong file copied): it parses and
   * matches its key, but every client would refuse every handshake with it, and it never becomes valid again.
   * One that does not parse is left to {@link ServerTls#sslOptions}, which says why.
   */
  static void requireUnexpired(byte[] certPem, java.time.Instant now) {
    java.security.cert.X509Certificate leaf;
    try {
      leaf = (java.security.cert.X509Certificate) java.security.cert.CertificateFactory.getInstance("X.509")
          .generateCertificate(new java.io.ByteArrayInputStream(certPem));
    } catch (java.security.cert.CertificateException | ClassCastException e) {
      return;
    }
    if (leaf.getNotAfter().toInstant().isBefore(now)) {
      throw new IllegalArgumentException("TLS certificate cannot be used: it expired on "
          + leaf.getNotAfter().toInstant() + " (" + leaf.getSubjectX500Principal().getName() + ")");
    }
  }
}
