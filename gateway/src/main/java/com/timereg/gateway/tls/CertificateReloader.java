package com.timereg.gateway.tls;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import io.vertx.core.net.ServerSSLOptions;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.function.BiFunction;
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
  private final Optional<Path> trustFile;
  private final BiFunction<ServerSSLOptions, byte[], ServerSSLOptions> trusting;
  private final List<HttpServer> servers = new CopyOnWriteArrayList<>();
  private volatile ServerTls.KeyMaterial lastSeen;
  /** The contents of {@link #trustFile} last read (and tried), as {@link #lastSeen} is for the key material. */
  private volatile byte[] trustSeen;
  /**
   * What the listeners serve and check with: unlike {@link #lastSeen} and {@link #trustSeen}, never one that was
   * refused. A change to the one file is applied with what is in use of the other.
   */
  private volatile ServerTls.KeyMaterial materialInUse;
  private volatile byte[] trustApplied;
  /** Told when a changed trust file has been applied to every listener. */
  private volatile Runnable onTrustApplied = () -> {};
  /** A pair whose certificate is not valid yet, reported once and applied at the first tick after its notBefore. */
  private volatile ServerTls.KeyMaterial waiting;
  /** Within a spell of unreadable files: reported at its start and its end, not on every tick. */
  private volatile boolean unreadable;
  /** Within a spell of a key (or trust) file others may write: reported at its start and its end, not on every tick. */
  private volatile boolean unsafeKey;
  /** The timer of the next check; guarded by {@code this} with {@link #stopped}. */
  private long timerId = -1;
  private boolean stopped;

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
    this(vertx, certFile, keyFile, tls, clock, listener, metrics, Optional.empty(), (options, trust) -> options);
  }

  /**
   * @param trustFile PEM CA certificates the listener checks client certificates with (the admin listener's
   *     client CA), read and followed with the key material: a CA rotated on disk is applied like a renewed
   *     certificate, not only at the next restart
   * @param trusting adds what the listener's TLS has besides the key material, given the contents of
   *     {@code trustFile} (null without one): a reload replaces all of a listener's TLS options, not only its
   *     certificate, so the client CA and client-auth are named again on every reload
   */
  public CertificateReloader(Vertx vertx, Path certFile, Path keyFile, ServerTls tls, java.time.Clock clock,
      String listener, TlsMetrics metrics, Optional<Path> trustFile,
      BiFunction<ServerSSLOptions, byte[], ServerSSLOptions> trusting) {
    this.trustFile = trustFile;
    this.trusting = trusting;
    this.vertx = vertx;
    this.certFile = certFile;
    this.keyFile = keyFile;
    this.tls = tls;
    this.clock = clock;
    this.listener = listener;
    this.metrics = metrics;
  }

  /** Reads both files, and the trust file if any (blocking: call at start, off the event loop). */
  public ServerTls.KeyMaterial readNow() throws java.io.IOException {
    ServerTls.KeyMaterial m = new ServerTls.KeyMaterial(
        java.nio.file.Files.readAllBytes(certFile), java.nio.file.Files.readAllBytes(keyFile));
    trustSeen = trustFile.isPresent() ? java.nio.file.Files.readAllBytes(trustFile.get()) : null;
    trustApplied = trustSeen;
    lastSeen = m;
    materialInUse = m;
    ServerTls.notAfter(m.certPem()).ifPresent(t -> metrics.certificateInUse(listener, t));
    // Served anyway: there is no other certificate to keep, and refusing would make a restart after an expiry
    // impossible (the listener down as well as the certificate).
    ServerTls.validity(m.certPem()).filter(v -> !v.covers(clock.instant())).ifPresent(v -> LOG.warn(
        "TLS certificate {} is {} at start; clients will refuse it until it is replaced or its time comes", certFile, v));
    return m;
  }

  /** The trust file's contents as {@link #readNow} (or the last reload tried) read them; null without one. */
  public byte[] trustInUse() {
    return trustSeen;
  }

  public void register(HttpServer server) {
    servers.add(server);
  }

  /**
   * {@code action} runs once a changed trust file has been applied: new handshakes are checked against the new CA,
   * while connections already open keep the client certificate they were let in with (the admin listener closes
   * those, so that a CA rotated because it leaked stops letting its certificates in at once).
   */
  public void onTrustApplied(Runnable action) {
    onTrustApplied = action;
  }

  /**
   * Checks every {@code interval}, counted from the end of the previous check, not on a periodic timer: a check is
   * asynchronous (a stat and reads off the event loop, then every listener's update) and one slower than the
   * interval (a slow disk, many listeners) was overlapped by the next, two updates of the same listeners then under
   * way at once: the older certificate could land last and stay served while the newer was taken for the one in
   * use.
   */
  public synchronized void start(java.time.Duration interval) {
    stopped = false;
    next(interval.toMillis());
  }

  private synchronized void next(long interval) {
    if (!stopped) {
      timerId = vertx.setTimer(interval, id -> checkOnce().onComplete(done -> next(interval)));
    }
  }

  /** No check starts after this; one under way finishes. */
  public synchronized void stop() {
    stopped = true;
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
    // may write, is not taken, whatever it holds, since anyone on the host could have put it there; nor is a trust
    // file so exposed (whoever adds their CA to it signs themselves in). Checked on every tick, not only when the
    // contents change, so that a chmod go-w afterwards lets the same files through.
    return vertx.executeBlocking(this::unsafeFiles).compose(refusal -> {
      if (refusal.isPresent()) {
        if (!unsafeKey) {
          unsafeKey = true;
          LOG.error("TLS {} not reloaded, keeping the certificate, key and client CA in use (said once until fixed): {}",
              keyFile, refusal.get());
        }
        return Future.succeededFuture(false);
      }
      if (unsafeKey) {
        unsafeKey = false;
        LOG.info("TLS files of {} can no longer be replaced by group or others", keyFile);
      }
      return readAndApply();
    });
  }

  /** Why the key file or the trust file must not be taken now (blocking: stats), or empty. */
  private Optional<String> unsafeFiles() {
    return KeyFileMode.refusal(keyFile).or(() -> trustFile.flatMap(
        f -> KeyFileMode.refusal(f, "client CA file", "the CA client certificates are checked against")));
  }

  private Future<Boolean> readAndApply() {
    Future<byte[]> trustRead = trustFile.isEmpty() ? Future.succeededFuture(null)
        : vertx.fileSystem().readFile(trustFile.get().toString()).map(io.vertx.core.buffer.Buffer::getBytes);
    return vertx.fileSystem().readFile(certFile.toString())
        .compose(cert -> vertx.fileSystem().readFile(keyFile.toString())
            .map(key -> new ServerTls.KeyMaterial(cert.getBytes(), key.getBytes())))
        .compose(material -> trustRead.map(trust -> new Read(material, trust)))
        .recover(e -> {
          if (!unreadable) {
            unreadable = true;
            LOG.warn("TLS certificate files unreadable, keeping the current certificate (said once until they "
                + "are readable again): {}", e.getMessage());
          }
          return Future.succeededFuture(null);
        })
        .compose(read -> {
          if (read == null) {
            return Future.succeededFuture(false);
          }
          if (unreadable) {
            unreadable = false;
            LOG.info("TLS certificate files {} and {} readable again", certFile, keyFile);
          }
          ServerTls.KeyMaterial material = read.material();
          byte[] trust = read.trust();
          boolean trustChanged = !java.util.Arrays.equals(trust, trustSeen);
          boolean certificateChanged = !material.sameAs(lastSeen);
          if (!certificateChanged && !trustChanged) {
            return Future.succeededFuture(false);
          }
          // Each change on its own, the client CA first: a CA rotated with a certificate that cannot be taken (yet)
          // is not held back by it (staff rotate a CA because the old one leaked: it must not stay trusted until next
          // month's certificate becomes valid), nor is a certificate by a CA file caught half-written; and neither
          // brings in the other's refused file (a CA rotated after an expired certificate was refused is applied
          // with the certificate in use, not the expired one).
          Future<Boolean> ca = trustChanged ? applyTrust(trust) : Future.succeededFuture(false);
          return ca.transform(caTried -> {
            Future<Boolean> certificate = certificateChanged ? applyCertificate(material)
                : Future.succeededFuture(false);
            return certificate.transform(certificateTried -> caTried.failed() ? Future.failedFuture(caTried.cause())
                : certificateTried.failed() ? Future.failedFuture(certificateTried.cause())
                : Future.succeededFuture(caTried.result() || certificateTried.result()));
          });
        });
  }

  /** Applies a changed client CA with the certificate in use (as it is: not held back by its dates). */
  private Future<Boolean> applyTrust(byte[] trust) {
    // Remembered before trying, so a bad one is reported once, not on every tick; the next write tries again.
    trustSeen = trust;
    return applyToAll(materialInUse, false, trust)
        .onSuccess(v -> {
          trustApplied = trust;
          LOG.info("TLS client CA reloaded from {} into {} {} listener(s)", trustFile.orElseThrow(), servers.size(),
              listener);
          onTrustApplied.run();
        })
        .onFailure(e -> LOG.error("TLS client CA change in {} not applied, keeping the previous one: {}",
            trustFile.orElseThrow(), e.getMessage()))
        .map(true);
  }

  /** Applies a changed certificate and key with the client CA in use, unless it is not valid yet or is refused. */
  private Future<Boolean> applyCertificate(ServerTls.KeyMaterial material) {
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
    // Remember the pair before trying, so a bad one is reported once, not on every tick; the next write to either
    // file changes the contents and triggers another attempt.
    lastSeen = material;
    return applyToAll(material, true, trustApplied)
        .onSuccess(v -> {
          materialInUse = material;
          ServerTls.notAfter(material.certPem()).ifPresent(t -> metrics.certificateInUse(listener, t));
          LOG.info("TLS certificate reloaded from {} into {} {} listener(s)", certFile, servers.size(), listener);
        })
        .onFailure(e -> LOG.error("TLS certificate change in {} not applied, keeping the previous one: {}",
            certFile, e.getMessage()))
        .map(true);
  }

  /** What one check read: the key material and the trust file's contents (null without one). */
  private record Read(ServerTls.KeyMaterial material, byte[] trust) {}

  private Future<Void> applyToAll(ServerTls.KeyMaterial material, boolean certificateChanged, byte[] trust) {
    // Off the event loop: with OpenSSL the options parse the key. A pair that does not parse (e.g. a key file
    // caught half-written) fails here and is reported like a refused update, and so does an expired certificate,
    // and a trust file without a certificate in it (caught empty or half-written: it would refuse every client).
    return vertx.executeBlocking(() -> {
      if (certificateChanged) {
        // The one in use is served as it is (as at start) when only the client CA changes.
        requireUnexpired(material.certPem(), clock.instant());
      }
      if (trust != null) {
        requireCertificates(trust);
      }
      return trusting.apply(tls.sslOptions(material), trust);
    }).compose(options -> {
      List<Future<Boolean>> updates = servers.stream().map(s -> s.updateSSLOptions(options, true)).toList();
      return Future.all(updates).mapEmpty();
    });
  }

  /** Refuses CA contents that hold no certificate, or one that does not parse. */
  static void requireCertificates(byte[] pem) {
    java.util.Collection<? extends java.security.cert.Certificate> certificates;
    try {
      certificates = java.security.cert.CertificateFactory.getInstance("X.509")
          .generateCertificates(new java.io.ByteArrayInputStream(pem));
    } catch (java.security.cert.CertificateException e) {
      throw new IllegalArgumentException("the client CA file cannot be used: " + e.getMessage(), e);
    }
    if (certificates.isEmpty()) {
      throw new IllegalArgumentException("the client CA file holds no certificate");
    }
  }

  /**
   * Refuses a certificate that has expired, or whose chain holds one that has (an old backup restored, the wrong
   * file copied): it parses and matches its key, but every client would refuse every handshake with it, and it
   * never becomes valid again.
   * One that does not parse is left to {@link ServerTls#sslOptions}, which says why.
   */
  static void requireUnexpired(byte[] certPem, java.time.Instant now) {
    List<java.security.cert.X509Certificate> chain;
    try {
      chain = java.security.cert.CertificateFactory.getInstance("X.509")
          .generateCertificates(new java.io.ByteArrayInputStream(certPem)).stream()
          .map(c -> (java.security.cert.X509Certificate) c).toList();
    } catch (java.security.cert.CertificateException | ClassCastException e) {
      return;
    }
    // The whole chain served, not only the leaf: an intermediate that has expired (an old bundle copied in with the
    // new leaf) makes clients refuse the chain as surely, as the gauge and the warning at start count it.
    for (int i = 0; i < chain.size(); i++) {
      java.security.cert.X509Certificate c = chain.get(i);
      if (c.getNotAfter().toInstant().isBefore(now)) {
        throw new IllegalArgumentException("TLS certificate cannot be used: "
            + (i == 0 ? "it" : "the certificate served with it, " + c.getSubjectX500Principal().getName() + ",")
            + " expired on " + c.getNotAfter().toInstant()
            + (i == 0 ? " (" + c.getSubjectX500Principal().getName() + ")" : ""));
      }
    }
  }
}
