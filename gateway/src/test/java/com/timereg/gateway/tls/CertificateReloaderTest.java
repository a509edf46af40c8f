package com.timereg.gateway.tls;

import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import com.timereg.gateway.testsupport.Await;
import com.timereg.gateway.testsupport.ManualClock;
import com.timereg.gateway.testsupport.TrustAllTls;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.cert.X509Certificate;
import java.time.Clock;
import java.time.Duration;
import javax.net.ssl.SSLSocket;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.LoggerFactory;

/**
 * Certificate files that cannot be read (deleted during a renewal, a volume not mounted) keep the certificate
 * in use; the operator is told once per spell, and when the files are back, not on every tick of the reload
 * interval (a WARN line every tick for as long as the files are gone buried everything else in the log).
 */
class CertificateReloaderTest {
  @TempDir Path dir;
  private Vertx vertx;
  private final ListAppender<ILoggingEvent> appender = new ListAppender<>();
  private final Logger logger = (Logger) LoggerFactory.getLogger(CertificateReloader.class);

  @BeforeEach
  void start() {
    vertx = Vertx.vertx();
    appender.start();
    logger.addAppender(appender);
  }

  @AfterEach
  void stop() {
    logger.detachAppender(appender);
    Await.await(vertx.close());
  }

  @Test
  void unreadableFilesAreReportedOncePerSpellAndTheirReturnToo() throws Exception {
    Path cert = Files.writeString(dir.resolve("cert.pem"), "certificate");
    Path key = Files.writeString(dir.resolve("key.pem"), "key");
    CertificateReloader reloader = new CertificateReloader(vertx, cert, key, null);
    reloader.readNow();

    Files.delete(cert);
    for (int tick = 0; tick < 5; tick++) {
      assertThat(Await.await(reloader.checkOnce())).as("nothing applied").isFalse();
    }
    assertThat(warnings()).hasSize(1).allSatisfy(m -> assertThat(m).contains("unreadable"));

    Files.writeString(cert, "certificate");
    assertThat(Await.await(reloader.checkOnce())).isFalse();
    assertThat(Await.await(reloader.checkOnce())).isFalse();
    assertThat(infos()).filteredOn(m -> m.contains("readable again")).hasSize(1);

    Files.delete(key);
    assertThat(Await.await(reloader.checkOnce())).isFalse();
    assertThat(Await.await(reloader.checkOnce())).isFalse();
    assertThat(warnings()).as("a second spell is reported again").hasSize(2);
  }

  /**
   * A renewal that put an expired certificate in place (an old backup restored, the wrong file copied): the pair
   * parses and matches, so it was applied, and every client then refused every handshake. It is refused instead,
   * said so, and the certificate in use stays.
   */
  @Test
  void anExpiredCertificateIsRefusedAndTheCurrentOneStays() throws Exception {
    SelfSignedCertificate current = SelfSignedCertificate.loadOrCreate(dir.resolve("current"), Clock.systemUTC());
    Path cert = Files.copy(current.certFile(), dir.resolve("cert.pem"));
    Path key = Files.copy(current.keyFile(), dir.resolve("key.pem"));
    ServerTls tls = ServerTls.select(TlsSettings.Engine.AUTO);
    CertificateReloader reloader = new CertificateReloader(vertx, cert, key, tls);
    HttpServer server = serving(tls, reloader);
    String presented = presented(server.actualPort());
    assertThat(presented).isEqualTo(current.fingerprint());

    // Made 400 days ago for 365 days: expired a month ago. Key first, as a renewal writes them.
    SelfSignedCertificate expired = SelfSignedCertificate.loadOrCreate(dir.resolve("expired"),
        Clock.offset(Clock.systemUTC(), Duration.ofDays(-400)));
    Files.copy(expired.keyFile(), key, StandardCopyOption.REPLACE_EXISTING);
    Files.copy(expired.certFile(), cert, StandardCopyOption.REPLACE_EXISTING);
    Await.await(reloader.checkOnce().recover(e -> Future.succeededFuture(false)));

    assertThat(presented(server.actualPort())).as("new handshakes still get the certificate in use")
        .isEqualTo(presented);
    assertThat(messages(Level.ERROR)).anySatisfy(m -> assertThat(m)
        .contains("not applied, keeping the previous one").contains("expired"));
  }

  /**
   * Next month's certificate dropped in place early (notBefore in the future): it parses and matches its key, so
   * it was applied, and every client then refused every handshake until that date. The certificate in use stays,
   * the operator is told once, naming the file and the dates, and it is applied at the first tick after its
   * notBefore, without touching the files again.
   */
  @Test
  void aCertificateNotYetValidWaitsForItsNotBeforeWhileTheCurrentOneStays() throws Exception {
    ManualClock clock = ManualClock.startingNow();
    SelfSignedCertificate current = SelfSignedCertificate.loadOrCreate(dir.resolve("current"), Clock.systemUTC());
    Path cert = Files.copy(current.certFile(), dir.resolve("cert.pem"));
    Path key = Files.copy(current.keyFile(), dir.resolve("key.pem"));
    ServerTls tls = ServerTls.select(TlsSettings.Engine.AUTO);
    List<Long> reported = new java.util.concurrent.CopyOnWriteArrayList<>();
    CertificateReloader reloader = new CertificateReloader(vertx, cert, key, tls, clock, "public",
        (listener, notAfter) -> reported.add(notAfter.getEpochSecond()));
    HttpServer server = serving(tls, reloader);

    // Valid from 30 days ahead (less the hour SelfSignedCertificate backdates).
    SelfSignedCertificate next = SelfSignedCertificate.loadOrCreate(dir.resolve("next"),
        Clock.offset(Clock.systemUTC(), Duration.ofDays(30)));
    Files.copy(next.keyFile(), key, StandardCopyOption.REPLACE_EXISTING);
    Files.copy(next.certFile(), cert, StandardCopyOption.REPLACE_EXISTING);
    for (int tick = 0; tick < 3; tick++) {
      assertThat(Await.await(reloader.checkOnce())).as("not applied before its notBefore").isFalse();
    }
    assertThat(presented(server.actualPort())).as("new handshakes still get the certificate in use")
        .isEqualTo(current.fingerprint());
    assertThat(reported).as("the metric keeps the certificate in use").hasSize(1);
    assertThat(messages(Level.ERROR)).as("said once, naming the file and its dates").singleElement()
        .satisfies(m -> assertThat(m).contains(cert.toString()).contains("not valid before")
            .contains(notBefore(next.certFile()).toString()));

    clock.advance(Duration.ofDays(30));
    assertThat(Await.await(reloader.checkOnce())).as("applied at the first tick after its notBefore").isTrue();
    assertThat(presented(server.actualPort())).isEqualTo(next.fingerprint());
    assertThat(reported).hasSize(2);
  }

  /**
   * A renewal whose chain holds an intermediate that has expired (an old fullchain.pem bundle, or the CA's previous
   * intermediate copied in with the new leaf): the leaf is in date and matches its key, so it was applied, and every
   * client then refused the chain. The chain's earliest not-after counts, as for the gauge and the warning at start:
   * refused, said so naming the intermediate, and the certificate in use stays. The injected clock is moved past the
   * intermediate's not-after, not the leaf's.
   */
  @Test
  void aRenewalWhoseIntermediateHasExpiredIsRefusedAndTheCurrentOneStays() throws Exception {
    ManualClock clock = ManualClock.startingNow();
    SelfSignedCertificate current = SelfSignedCertificate.loadOrCreate(dir.resolve("current"), Clock.systemUTC());
    Path cert = Files.copy(current.certFile(), dir.resolve("cert.pem"));
    Path key = Files.copy(current.keyFile(), dir.resolve("key.pem"));
    com.timereg.gateway.testsupport.TestPki root = new com.timereg.gateway.testsupport.TestPki("test root");
    com.timereg.gateway.testsupport.TestPki oldIntermediate =
        root.intermediate("old intermediate", clock.instant().plus(Duration.ofDays(1)));
    ServerTls tls = ServerTls.select(TlsSettings.Engine.AUTO);
    List<Long> reported = new java.util.concurrent.CopyOnWriteArrayList<>();
    CertificateReloader reloader = new CertificateReloader(vertx, cert, key, tls, clock, "public",
        (listener, notAfter) -> reported.add(notAfter.getEpochSecond()));
    HttpServer server = serving(tls, reloader);

    // A day and a half on: the leaf (two days) is in date, the intermediate it is served with expired half a day ago.
    clock.advance(Duration.ofHours(36));
    com.timereg.gateway.testsupport.TestPki.write(oldIntermediate.server(), cert, key, oldIntermediate.caCertificate());
    Await.await(reloader.checkOnce().recover(e -> Future.succeededFuture(false)));
    assertThat(presented(server.actualPort())).as("new handshakes still get the certificate in use")
        .isEqualTo(current.fingerprint());
    assertThat(reported).as("the metric keeps the certificate in use").hasSize(1);
    assertThat(messages(Level.ERROR)).singleElement().satisfies(m -> assertThat(m)
        .contains("not applied, keeping the previous one").contains("expired").contains("CN=old intermediate"));

    // The same kind of renewal served with an intermediate in date is taken.
    com.timereg.gateway.testsupport.TestPki newIntermediate =
        root.intermediate("new intermediate", clock.instant().plus(Duration.ofDays(400)));
    com.timereg.gateway.testsupport.TestPki.Issued renewed = newIntermediate.server();
    com.timereg.gateway.testsupport.TestPki.write(renewed, cert, key, newIntermediate.caCertificate());
    assertThat(Await.await(reloader.checkOnce())).isTrue();
    assertThat(presented(server.actualPort())).isEqualTo(SelfSignedCertificate.fingerprint(renewed.cert()));
    assertThat(reported).hasSize(2);
  }

  /**
   * A check is asynchronous (a stat and reads off the event loop, then every listener's update) and can take longer
   * than the interval (a slow disk, many listeners). The next starts only once it has finished: with a periodic
   * timer a renewal written meanwhile was applied while the previous update was still under way, two updates of the
   * same listener at once, and the older certificate, landing last, stayed served while the reloader took the newer
   * for the one in use (and did not try again). The slow step here is the listener's update, held for twenty
   * intervals by a timer.
   */
  @Test
  void aSlowCheckIsNotOverlappedByTheNextAndTheLatestRenewalEndsInUse() throws Exception {
    SelfSignedCertificate current = SelfSignedCertificate.loadOrCreate(dir.resolve("current"), Clock.systemUTC());
    SelfSignedCertificate first = SelfSignedCertificate.loadOrCreate(dir.resolve("first"),
        Clock.offset(Clock.systemUTC(), Duration.ofMinutes(30)));
    SelfSignedCertificate second = SelfSignedCertificate.loadOrCreate(dir.resolve("second"),
        Clock.offset(Clock.systemUTC(), Duration.ofMinutes(60)));
    Path cert = Files.copy(current.certFile(), dir.resolve("cert.pem"));
    Path key = Files.copy(current.keyFile(), dir.resolve("key.pem"));
    ServerTls tls = ServerTls.select(TlsSettings.Engine.AUTO);
    CertificateReloader reloader = new CertificateReloader(vertx, cert, key, tls);
    HttpServer server = Await.await(vertx.createHttpServer(tls.apply(new HttpServerOptions(), reloader.readNow()))
        .requestHandler(request -> request.response().end()).listen(0, "127.0.0.1"));
    Duration interval = Duration.ofMillis(50);
    java.util.concurrent.atomic.AtomicInteger calls = new java.util.concurrent.atomic.AtomicInteger();
    java.util.concurrent.atomic.AtomicInteger inFlight = new java.util.concurrent.atomic.AtomicInteger();
    java.util.concurrent.atomic.AtomicInteger most = new java.util.concurrent.atomic.AtomicInteger();
    io.vertx.core.Promise<Void> firstCalled = io.vertx.core.Promise.promise();
    io.vertx.core.Promise<Void> secondDone = io.vertx.core.Promise.promise();
    HttpServer slow = (HttpServer) java.lang.reflect.Proxy.newProxyInstance(HttpServer.class.getClassLoader(),
        new Class<?>[] {HttpServer.class}, (proxy, method, args) -> {
          if (!method.getName().equals("updateSSLOptions") || args.length != 2) {
            return method.invoke(server, args);
          }
          int call = calls.incrementAndGet();
          most.accumulateAndGet(inFlight.incrementAndGet(), Math::max);
          io.vertx.core.Promise<Boolean> done = io.vertx.core.Promise.promise();
          io.vertx.core.net.ServerSSLOptions options = (io.vertx.core.net.ServerSSLOptions) args[0];
          Runnable update = () -> server.updateSSLOptions(options, (Boolean) args[1]).onComplete(ar -> {
            inFlight.decrementAndGet();
            done.handle(ar);
            if (call == 2) {
              secondDone.tryComplete();
            }
          });
          if (call == 1) {
            vertx.setTimer(interval.toMillis() * 20, id -> update.run());
            firstCalled.tryComplete();
          } else {
            update.run();
          }
          return done.future();
        });
    reloader.register(slow);
    reloader.start(interval);
    try {
      Files.copy(first.keyFile(), key, StandardCopyOption.REPLACE_EXISTING);
      Files.copy(first.certFile(), cert, StandardCopyOption.REPLACE_EXISTING);
      Await.await(firstCalled.future());
      Files.copy(second.keyFile(), key, StandardCopyOption.REPLACE_EXISTING);
      Files.copy(second.certFile(), cert, StandardCopyOption.REPLACE_EXISTING);
      Await.await(secondDone.future());
      assertThat(most.get()).as("one update of the listener at a time").isEqualTo(1);
      assertThat(presented(server.actualPort())).as("the latest renewal is served").isEqualTo(second.fingerprint());
    } finally {
      reloader.stop();
    }
  }

  /**
   * At start there is no certificate to keep instead: an expired or not yet valid one is served (refusing it would
   * make a restart after an expiry impossible, the listener down as well as the certificate), with a WARN naming the
   * file and the dates.
   */
  @Test
  void anExpiredOrNotYetValidCertificateAtStartIsServedWithAWarningNamingItsDates() throws Exception {
    for (Duration made : List.of(Duration.ofDays(-400), Duration.ofDays(30))) {
      SelfSignedCertificate c = SelfSignedCertificate.loadOrCreate(dir.resolve("made" + made.toDays()),
          Clock.offset(Clock.systemUTC(), made));
      new CertificateReloader(vertx, c.certFile(), c.keyFile(), ServerTls.select(TlsSettings.Engine.AUTO)).readNow();
      assertThat(warnings()).as(made + ": named with its dates").anySatisfy(m -> assertThat(m)
          .contains(c.certFile().toString()).contains(notBefore(c.certFile()).toString())
          .contains(read(c.certFile()).getNotAfter().toInstant().toString()));
    }
    assertThat(warnings()).hasSize(2);
  }

  /**
   * A renewal whose key file group or others may write (anyone with that access on the host could have put their
   * own key there): not taken, said once, and the key in use stays; once the mode is fixed the same files are.
   */
  @Test
  void aKeyFileWritableByGroupOrOthersIsNotReloadedUntilItsModeIsFixed() throws Exception {
    SelfSignedCertificate current = SelfSignedCertificate.loadOrCreate(dir.resolve("current"), Clock.systemUTC());
    Path cert = Files.copy(current.certFile(), dir.resolve("cert.pem"));
    Path key = Files.copy(current.keyFile(), dir.resolve("key.pem"));
    ServerTls tls = ServerTls.select(TlsSettings.Engine.AUTO);
    List<Long> reported = new java.util.concurrent.CopyOnWriteArrayList<>();
    CertificateReloader reloader = new CertificateReloader(vertx, cert, key, tls, Clock.systemUTC(), "public",
        (listener, notAfter) -> reported.add(notAfter.getEpochSecond()));
    HttpServer server = serving(tls, reloader);
    assertThat(reported).hasSize(1);

    // Made 30 minutes ahead: valid already (backdated an hour), and it expires 30 minutes after the current one.
    SelfSignedCertificate renewed = SelfSignedCertificate.loadOrCreate(dir.resolve("renewed"),
        Clock.offset(Clock.systemUTC(), Duration.ofMinutes(30)));
    Files.copy(renewed.keyFile(), key, StandardCopyOption.REPLACE_EXISTING);
    Files.copy(renewed.certFile(), cert, StandardCopyOption.REPLACE_EXISTING);
    for (String mode : List.of("rw-rw----", "rw----rw-")) {
      Files.setPosixFilePermissions(key, java.nio.file.attribute.PosixFilePermissions.fromString(mode));
      assertThat(Await.await(reloader.checkOnce())).as(mode + ": nothing applied").isFalse();
      assertThat(Await.await(reloader.checkOnce())).isFalse();
      assertThat(presented(server.actualPort())).as(mode + ": the key in use stays").isEqualTo(current.fingerprint());
    }
    assertThat(messages(Level.ERROR)).as("said once for the spell, naming the file and its mode").singleElement()
        .satisfies(m -> assertThat(m).contains(key.toString()).contains("0660").contains("writable by group or others"));

    Files.setPosixFilePermissions(key, java.nio.file.attribute.PosixFilePermissions.fromString("rw-------"));
    assertThat(Await.await(reloader.checkOnce())).as("applied once the mode is fixed").isTrue();
    assertThat(presented(server.actualPort())).isEqualTo(renewed.fingerprint());
    assertThat(reported).as("the metric follows the certificate in use").hasSize(2);
    assertThat(reported.get(1) - reported.get(0)).isBetween(Duration.ofMinutes(30).toSeconds() - 60, Duration.ofMinutes(30).toSeconds() + 60);
  }

  /**
   * A renewal put in a directory others may write (no sticky bit): whoever can write there could have swapped in
   * their own key, whatever the key file's mode. Not taken, said once naming the directory; taken once it is fixed.
   */
  @Test
  void aKeyInADirectoryOthersMayWriteIsNotReloadedUntilTheDirectoryIsFixed() throws Exception {
    SelfSignedCertificate current = SelfSignedCertificate.loadOrCreate(dir.resolve("current"), Clock.systemUTC());
    Path keys = Files.createDirectory(dir.resolve("keys"));
    Path cert = Files.copy(current.certFile(), keys.resolve("cert.pem"));
    Path key = Files.copy(current.keyFile(), keys.resolve("key.pem"));
    ServerTls tls = ServerTls.select(TlsSettings.Engine.AUTO);
    CertificateReloader reloader = new CertificateReloader(vertx, cert, key, tls);
    HttpServer server = serving(tls, reloader);

    SelfSignedCertificate renewed = SelfSignedCertificate.loadOrCreate(dir.resolve("renewed"),
        Clock.offset(Clock.systemUTC(), Duration.ofMinutes(30)));
    Files.copy(renewed.keyFile(), key, StandardCopyOption.REPLACE_EXISTING);
    Files.copy(renewed.certFile(), cert, StandardCopyOption.REPLACE_EXISTING);
    Files.setPosixFilePermissions(key, java.nio.file.attribute.PosixFilePermissions.fromString("rw-------"));
    Files.setPosixFilePermissions(keys, java.nio.file.attribute.PosixFilePermissions.fromString("rwxrwxrwx"));
    assertThat(Await.await(reloader.checkOnce())).as("nothing applied").isFalse();
    assertThat(Await.await(reloader.checkOnce())).isFalse();
    assertThat(presented(server.actualPort())).as("the key in use stays").isEqualTo(current.fingerprint());
    assertThat(messages(Level.ERROR)).as("said once, naming the directory").singleElement()
        .satisfies(m -> assertThat(m).contains("directory " + keys).contains("0777"));

    Files.setPosixFilePermissions(keys, java.nio.file.attribute.PosixFilePermissions.fromString("rwx------"));
    assertThat(Await.await(reloader.checkOnce())).as("applied once the directory is fixed").isTrue();
    assertThat(presented(server.actualPort())).isEqualTo(renewed.fingerprint());
  }

  /**
   * The trust file (the admin listener's client CA) is followed with the key material: a new CA is applied on the
   * next check, certificate unchanged, and real clients from the old CA are then refused, from the new one taken.
   * One caught empty or half-written holds no certificate: not applied (it would refuse every client), said so,
   * and the CA in use stays. Both engines: each builds its own trust from the options.
   */
  @org.junit.jupiter.params.ParameterizedTest
  @org.junit.jupiter.params.provider.EnumSource(value = TlsSettings.Engine.class, names = {"JDK", "OPENSSL"})
  void aTrustFileChangedAloneIsAppliedAndOneWithoutACertificateIsNot(TlsSettings.Engine engine) throws Exception {
    com.timereg.gateway.testsupport.TestPki serverPki = new com.timereg.gateway.testsupport.TestPki("server CA");
    Path cert = dir.resolve("cert.pem");
    Path key = dir.resolve("key.pem");
    com.timereg.gateway.testsupport.TestPki.write(serverPki.server(), cert, key);
    com.timereg.gateway.testsupport.TestPki oldCa = new com.timereg.gateway.testsupport.TestPki("staff CA 2025");
    com.timereg.gateway.testsupport.TestPki newCa = new com.timereg.gateway.testsupport.TestPki("staff CA 2026");
    Path ca = dir.resolve("client-ca.pem");
    oldCa.writeCa(ca);
    javax.net.ssl.SSLContext alice = presenting(oldCa.client("CN=alice"));
    javax.net.ssl.SSLContext bob = presenting(newCa.client("CN=bob"));
    ServerTls tls = ServerTls.select(engine);
    CertificateReloader reloader = requiringClientCertificates(cert, key, tls, Clock.systemUTC(), ca);
    HttpServer server = listening(tls, reloader);
    assertThat(answered(alice, server.actualPort())).isTrue();
    assertThat(answered(bob, server.actualPort())).isFalse();

    Files.writeString(ca, "-----BEGIN CERTIFICATE-----\nMIIB");
    Await.await(reloader.checkOnce().recover(e -> Future.succeededFuture(false)));
    assertThat(messages(Level.ERROR)).singleElement().satisfies(m -> assertThat(m)
        .contains("client CA").contains(ca.toString()).contains("not applied"));
    assertThat(answered(alice, server.actualPort())).as("the CA in use stays").isTrue();

    newCa.writeCa(dir.resolve("client-ca.pem.new"));
    Files.move(dir.resolve("client-ca.pem.new"), ca, StandardCopyOption.REPLACE_EXISTING);
    // Whoever may write the CA file adds their own CA and signs themselves in: not taken while so, as for a key.
    Files.setPosixFilePermissions(ca, java.nio.file.attribute.PosixFilePermissions.fromString("rw-rw-rw-"));
    assertThat(Await.await(reloader.checkOnce())).as("a CA file others may write is not taken").isFalse();
    assertThat(answered(bob, server.actualPort())).isFalse();
    assertThat(messages(Level.ERROR)).last().satisfies(m -> assertThat(m).contains("client CA file " + ca)
        .contains("0666"));
    Files.setPosixFilePermissions(ca, java.nio.file.attribute.PosixFilePermissions.fromString("rw-r--r--"));
    assertThat(Await.await(reloader.checkOnce())).as("applied").isTrue();
    assertThat(infos()).anySatisfy(m -> assertThat(m).contains("TLS client CA reloaded from " + ca));
    assertThat(answered(bob, server.actualPort())).as("the new CA's certificate is taken").isTrue();
    assertThat(answered(alice, server.actualPort())).as("the old CA's certificate is refused").isFalse();
  }

  /**
   * The certificate and the client CA rotated together, the certificate one that cannot be taken yet (next month's,
   * put in place early): the whole change waited for its notBefore, so a CA rotated because the old one leaked kept
   * letting the old one's certificates in, for weeks. And a CA rotated alone after a certificate was refused (an
   * expired one) was applied with that refused certificate, every client then refusing the listener. Each change is
   * now taken on its own, with what is in use of the other.
   */
  @Test
  void aClientCaRotatedWithACertificateThatCannotBeTakenIsAppliedOnItsOwnWithTheCertificateInUse() throws Exception {
    ManualClock clock = ManualClock.startingNow();
    SelfSignedCertificate current = SelfSignedCertificate.loadOrCreate(dir.resolve("current"), Clock.systemUTC());
    SelfSignedCertificate next = SelfSignedCertificate.loadOrCreate(dir.resolve("next"),
        Clock.offset(Clock.systemUTC(), Duration.ofDays(30)));
    SelfSignedCertificate expired = SelfSignedCertificate.loadOrCreate(dir.resolve("expired"),
        Clock.offset(Clock.systemUTC(), Duration.ofDays(-400)));
    Path cert = Files.copy(current.certFile(), dir.resolve("cert.pem"));
    Path key = Files.copy(current.keyFile(), dir.resolve("key.pem"));
    com.timereg.gateway.testsupport.TestPki leakedCa = new com.timereg.gateway.testsupport.TestPki("staff CA leaked");
    com.timereg.gateway.testsupport.TestPki newCa = new com.timereg.gateway.testsupport.TestPki("staff CA new");
    com.timereg.gateway.testsupport.TestPki thirdCa = new com.timereg.gateway.testsupport.TestPki("staff CA third");
    Path ca = dir.resolve("client-ca.pem");
    leakedCa.writeCa(ca);
    javax.net.ssl.SSLContext mallory = presenting(leakedCa.client("CN=mallory"));
    javax.net.ssl.SSLContext bob = presenting(newCa.client("CN=bob"));
    javax.net.ssl.SSLContext carol = presenting(thirdCa.client("CN=carol"));
    ServerTls tls = ServerTls.select(TlsSettings.Engine.AUTO);
    CertificateReloader reloader = requiringClientCertificates(cert, key, tls, clock, ca);
    HttpServer server = listening(tls, reloader);
    int port = server.actualPort();
    assertThat(answered(mallory, port)).isTrue();

    Files.copy(next.keyFile(), key, StandardCopyOption.REPLACE_EXISTING);
    Files.copy(next.certFile(), cert, StandardCopyOption.REPLACE_EXISTING);
    newCa.writeCa(ca);
    Await.await(reloader.checkOnce().recover(e -> Future.succeededFuture(false)));
    assertThat(answered(bob, port)).as("the new CA is applied without waiting for the certificate").isTrue();
    assertThat(answered(mallory, port)).as("the leaked CA's certificates are refused").isFalse();
    assertThat(presentedTo(bob, port)).as("the certificate in use stays").isEqualTo(current.fingerprint());
    assertThat(messages(Level.ERROR)).singleElement().satisfies(m -> assertThat(m).contains(cert.toString())
        .contains("not applied yet"));

    Files.copy(expired.keyFile(), key, StandardCopyOption.REPLACE_EXISTING);
    Files.copy(expired.certFile(), cert, StandardCopyOption.REPLACE_EXISTING);
    Await.await(reloader.checkOnce().recover(e -> Future.succeededFuture(false)));
    thirdCa.writeCa(ca);
    Await.await(reloader.checkOnce().recover(e -> Future.succeededFuture(false)));
    assertThat(presentedTo(carol, port)).as("the CA is applied with the certificate in use, not the refused one")
        .isEqualTo(current.fingerprint());
    assertThat(answered(bob, port)).isFalse();

    // The waiting certificate is still taken at its notBefore, with the CA in use.
    Files.copy(next.keyFile(), key, StandardCopyOption.REPLACE_EXISTING);
    Files.copy(next.certFile(), cert, StandardCopyOption.REPLACE_EXISTING);
    clock.advance(Duration.ofDays(30));
    assertThat(Await.await(reloader.checkOnce())).isTrue();
    assertThat(presentedTo(carol, port)).isEqualTo(next.fingerprint());
    assertThat(answered(bob, port)).isFalse();
  }

  /** SHA-256 fingerprint of the certificate a fresh handshake from {@code client} is shown. */
  private static String presentedTo(javax.net.ssl.SSLContext client, int port) throws Exception {
    try (SSLSocket socket = (SSLSocket) client.getSocketFactory().createSocket("127.0.0.1", port)) {
      socket.setSoTimeout(10_000);
      socket.startHandshake();
      return SelfSignedCertificate.fingerprint((X509Certificate) socket.getSession().getPeerCertificates()[0]);
    }
  }

  /** A client presenting {@code identity} and trusting any server. */
  private static javax.net.ssl.SSLContext presenting(com.timereg.gateway.testsupport.TestPki.Issued identity)
      throws Exception {
    java.security.KeyStore keys = java.security.KeyStore.getInstance("PKCS12");
    keys.load(null, null);
    keys.setKeyEntry("me", identity.keys().getPrivate(), new char[0], new X509Certificate[] {identity.cert()});
    javax.net.ssl.KeyManagerFactory kmf =
        javax.net.ssl.KeyManagerFactory.getInstance(javax.net.ssl.KeyManagerFactory.getDefaultAlgorithm());
    kmf.init(keys, new char[0]);
    return TrustAllTls.context(kmf.getKeyManagers());
  }

  /** Whether a request over a fresh connection is answered (TLS 1.3: a refused certificate shows on the first read). */
  private static boolean answered(javax.net.ssl.SSLContext ctx, int port) {
    try (SSLSocket socket = (SSLSocket) ctx.getSocketFactory().createSocket("127.0.0.1", port)) {
      socket.setSoTimeout(10_000);
      socket.startHandshake();
      socket.getOutputStream().write("GET / HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n"
          .getBytes(java.nio.charset.StandardCharsets.US_ASCII));
      socket.getOutputStream().flush();
      return socket.getInputStream().read() >= 0;
    } catch (java.io.IOException refused) {
      return false;
    }
  }

  /** SHA-256 fingerprint of the certificate a fresh handshake is shown. */
  private static String presented(int port) throws Exception {
    try (SSLSocket socket = (SSLSocket) TrustAllTls.context().getSocketFactory().createSocket("127.0.0.1", port)) {
      socket.setSoTimeout(10_000);
      socket.startHandshake();
      return SelfSignedCertificate.fingerprint((X509Certificate) socket.getSession().getPeerCertificates()[0]);
    }
  }

  private static java.time.Instant notBefore(Path pem) throws Exception {
    return read(pem).getNotBefore().toInstant();
  }

  private static X509Certificate read(Path pem) throws Exception {
    try (var in = Files.newInputStream(pem)) {
      return (X509Certificate) java.security.cert.CertificateFactory.getInstance("X.509").generateCertificate(in);
    }
  }

  private List<String> warnings() {
    return messages(Level.WARN);
  }

  private List<String> infos() {
    return messages(Level.INFO);
  }

  private List<String> messages(Level level) {
    synchronized (appender) {
      return appender.list.stream().filter(e -> e.getLevel() == level).map(ILoggingEvent::getFormattedMessage).toList();
    }
  }

  /** A reloader of the admin listener's kind: its client CA is what every client must present a certificate of. */
  private CertificateReloader requiringClientCertificates(Path cert, Path key, ServerTls tls, Clock clock, Path ca) {
    return new CertificateReloader(vertx, cert, key, tls, clock, "admin", TlsMetrics.NONE, java.util.Optional.of(ca),
        (o, trust) -> o.setTrustOptions(
            new io.vertx.core.net.PemTrustOptions().addCertValue(io.vertx.core.buffer.Buffer.buffer(trust)))
            .setClientAuth(io.vertx.core.http.ClientAuth.REQUIRED));
  }

  /** A listener serving what the reloader read; registered with the reloader. */
  private HttpServer serving(ServerTls tls, CertificateReloader reloader) throws Exception {
    HttpServer server = Await.await(vertx.createHttpServer(tls.apply(new HttpServerOptions(), reloader.readNow()))
        .requestHandler(request -> request.response().end()).listen(0, "127.0.0.1"));
    reloader.register(server);
    return server;
  }

  /** A listener serving what the reloader read, with the client CA in use; registered with the reloader. */
  private HttpServer listening(ServerTls tls, CertificateReloader reloader) throws Exception {
    HttpServerOptions options = tls.apply(new HttpServerOptions(), reloader.readNow())
        .setTrustOptions(new io.vertx.core.net.PemTrustOptions()
            .addCertValue(io.vertx.core.buffer.Buffer.buffer(reloader.trustInUse())))
        .setClientAuth(io.vertx.core.http.ClientAuth.REQUIRED);
    HttpServer server = Await.await(vertx.createHttpServer(options)
        .requestHandler(request -> request.response().end()).listen(0, "127.0.0.1"));
    reloader.register(server);
    return server;
  }
}
