package com.timereg.gateway.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import com.timereg.gateway.Main;
import com.timereg.gateway.tls.SelfSignedCertificate;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Clock;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.LoggerFactory;
import picocli.CommandLine;

/**
 * Private key files (tls.key-file, admin.tls.key-file, the session keys) that group or others may write stop the
 * start: anyone with that access on the host could replace the key. Readable by others is only warned about
 * (Kubernetes mounts secrets 0644 unless told otherwise).
 */
class KeyFilePermissionsTest {
  @TempDir Path dir;
  private final ListAppender<ILoggingEvent> appender = new ListAppender<>();
  private final Logger logger = (Logger) LoggerFactory.getLogger(ConfigReader.class);
  private SelfSignedCertificate tls;
  private Path signingKey;

  @BeforeEach
  void files() throws Exception {
    appender.start();
    logger.addAppender(appender);
    tls = SelfSignedCertificate.loadOrCreate(dir.resolve("tls"), Clock.systemUTC());
    signingKey = com.timereg.gateway.RunningGateway.writeSigningKey(dir.resolve("session.pem"));
    mode(signingKey, "rw-------");
  }

  @AfterEach
  void detach() {
    logger.detachAppender(appender);
  }

  private Map<String, String> env(Map<String, String> extra) {
    Map<String, String> env = new HashMap<>(Map.of(
        "GATEWAY_TLS__CERT_FILE", tls.certFile().toString(),
        "GATEWAY_TLS__KEY_FILE", tls.keyFile().toString(),
        "GATEWAY_SESSION__SIGNING_KEY", "file:" + signingKey));
    env.putAll(extra);
    return env;
  }

  private GatewayConfig load(Map<String, String> env) throws Exception {
    Path f = dir.resolve("gateway.yaml");
    Files.writeString(f, "");
    return GatewayConfig.load(f, env::get, false);
  }

  private static void mode(Path file, String mode) throws Exception {
    Files.setPosixFilePermissions(file, PosixFilePermissions.fromString(mode));
  }

  @Test
  void aTlsKeyFileWritableByGroupOrOthersIsAConfigurationErrorNamingTheFileAndItsMode() throws Exception {
    assertThat(load(env(Map.of()))).isNotNull();
    mode(tls.keyFile(), "rw-rw----");
    assertThatThrownBy(() -> load(env(Map.of()))).isInstanceOf(ConfigException.class)
        .hasMessageContaining("tls.key-file").hasMessageContaining(tls.keyFile().toString())
        .hasMessageContaining("0660").hasMessageContaining("writable by group or others");
    mode(tls.keyFile(), "rw----rw-");
    assertThatThrownBy(() -> load(env(Map.of()))).isInstanceOf(ConfigException.class).hasMessageContaining("0606");
  }

  @Test
  void theStartStopsWithExitStatusTwoAsForOtherConfigurationProblems() throws Exception {
    Path config = dir.resolve("gateway.yaml");
    Files.writeString(config, String.join("\n",
        "data-dir: " + dir.resolve("data"),
        "tls:",
        "  cert-file: " + tls.certFile(),
        "  key-file: " + tls.keyFile(),
        "session:",
        "  signing-key: file:" + signingKey,
        ""));
    assertThat(GatewayConfig.load(config, Map.<String, String>of()::get, false)).as("nothing else is wrong with it")
        .isNotNull();
    mode(tls.keyFile(), "rw-rw-rw-");
    java.io.ByteArrayOutputStream err = new java.io.ByteArrayOutputStream();
    java.io.PrintStream before = System.err;
    System.setErr(new java.io.PrintStream(err, true, java.nio.charset.StandardCharsets.UTF_8));
    int status;
    try {
      status = new CommandLine(new Main()).execute("--config", config.toString());
    } finally {
      System.setErr(before);
    }
    assertThat(status).isEqualTo(2);
    assertThat(err.toString(java.nio.charset.StandardCharsets.UTF_8))
        .contains("tls.key-file").contains(tls.keyFile().toString()).contains("0666");
  }

  @Test
  void aKeyFileReadableByOthersIsWarnedAboutButNotRefused() throws Exception {
    mode(tls.keyFile(), "rw-r--r--");
    mode(signingKey, "rw----r--");
    assertThat(load(env(Map.of()))).isNotNull();
    assertThat(messages(Level.WARN))
        .anySatisfy(m -> assertThat(m).contains("tls.key-file").contains(tls.keyFile().toString()).contains("0644"))
        .anySatisfy(m -> assertThat(m).contains("session.signing-key").contains(signingKey.toString()).contains("0604"));
    appender.list.clear();
    mode(tls.keyFile(), "rw-r-----");
    mode(signingKey, "r--------");
    load(env(Map.of()));
    assertThat(messages(Level.WARN)).as("group-readable, owner-only: nothing to say").isEmpty();
  }

  @Test
  void theAdminListenersKeyIsCheckedLikeThePublicOnes() throws Exception {
    SelfSignedCertificate admin = SelfSignedCertificate.loadOrCreate(dir.resolve("admin"), Clock.systemUTC());
    Map<String, String> withAdmin = env(Map.of(
        "GATEWAY_ADMIN__TLS__CERT_FILE", admin.certFile().toString(),
        "GATEWAY_ADMIN__TLS__KEY_FILE", admin.keyFile().toString()));
    assertThat(load(withAdmin)).isNotNull();
    mode(admin.keyFile(), "rw--w----");
    assertThatThrownBy(() -> load(withAdmin)).isInstanceOf(ConfigException.class)
        .hasMessageContaining("admin.tls.key-file").hasMessageContaining(admin.keyFile().toString())
        .hasMessageContaining("0620");
    mode(admin.keyFile(), "rw-r--r--");
    load(withAdmin);
    assertThat(messages(Level.WARN)).anySatisfy(m -> assertThat(m).contains("admin.tls.key-file").contains("0644"));
  }

  @Test
  void sessionKeyFilesOthersMayWriteAreRefused() throws Exception {
    mode(signingKey, "rw-rw-r--");
    assertThatThrownBy(() -> load(env(Map.of()))).isInstanceOf(ConfigException.class)
        .hasMessageContaining("session.signing-key").hasMessageContaining(signingKey.toString())
        .hasMessageContaining("0664");
    mode(signingKey, "rw-------");
    // A verification key others may replace with their own public key: their tokens would be accepted.
    Path previous = com.timereg.gateway.RunningGateway.writeSigningKey(dir.resolve("previous.pem"));
    mode(previous, "rw-r--rw-");
    assertThatThrownBy(() -> load(env(Map.of("GATEWAY_SESSION__VERIFICATION_KEYS", "k0=file:" + previous))))
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining("session.verification-keys").hasMessageContaining("0646");
    mode(previous, "rw-r--r--");
    assertThat(load(env(Map.of("GATEWAY_SESSION__VERIFICATION_KEYS", "k0=file:" + previous)))).isNotNull();
  }

  /**
   * A key whose own mode is owner-only, in a directory anyone may write: anyone can rename it away and put their own
   * key under its name. Refused as sshd's StrictModes refuses, unless the directory has the sticky bit (as /tmp),
   * which stops others renaming what is not theirs.
   */
  @Test
  void aKeyInADirectoryOthersMayWriteWithoutTheStickyBitIsAConfigurationErrorNamingTheDirectory() throws Exception {
    Path keys = Files.createDirectory(dir.resolve("keys"));
    Path key = Files.copy(tls.keyFile(), keys.resolve("tls.key"));
    mode(key, "rw-------");
    Map<String, String> env = env(Map.of("GATEWAY_TLS__KEY_FILE", key.toString()));
    assertThat(load(env)).isNotNull();

    mode(keys, "rwxrwxrwx");
    assertThatThrownBy(() -> load(env)).isInstanceOf(ConfigException.class)
        .hasMessageContaining("tls.key-file").hasMessageContaining("directory " + keys)
        .hasMessageContaining("0777").hasMessageContaining("chmod o-w " + keys);

    Files.setAttribute(keys, "unix:mode", 01777);
    assertThat(load(env)).as("the sticky bit keeps others from renaming the key").isNotNull();
  }

  /**
   * Links followed both ways, as a Kubernetes secret is mounted: a safe name linked to a key in a directory anyone
   * may write is refused naming that real directory, and so is a link that itself sits in such a directory (the link
   * can be replaced with one to another key).
   */
  @Test
  void theDirectoriesOfBothTheLinkAndTheRealKeyCount() throws Exception {
    Path open = Files.createDirectory(dir.resolve("open"));
    Path safe = Files.createDirectory(dir.resolve("safe"));
    mode(safe, "rwx------");
    Path real = Files.copy(tls.keyFile(), open.resolve("tls.key"));
    mode(real, "rw-------");
    mode(open, "rwxrwxrwx");
    Path link = Files.createSymbolicLink(safe.resolve("tls.key"), real);
    assertThatThrownBy(() -> load(env(Map.of("GATEWAY_TLS__KEY_FILE", link.toString()))))
        .isInstanceOf(ConfigException.class).hasMessageContaining("directory " + open.toRealPath());

    mode(open, "rwx------");
    Path safeKey = Files.copy(tls.keyFile(), safe.resolve("real.key"));
    mode(safeKey, "rw-------");
    Path exposedLink = Files.createSymbolicLink(open.resolve("link.key"), safeKey);
    Map<String, String> viaExposedLink = env(Map.of("GATEWAY_TLS__KEY_FILE", exposedLink.toString()));
    assertThat(load(viaExposedLink)).isNotNull();
    mode(open, "rwxrwxrwx");
    assertThatThrownBy(() -> load(viaExposedLink)).isInstanceOf(ConfigException.class)
        .hasMessageContaining("directory " + open.toRealPath());
  }

  /**
   * A directory a group other than the gateway's may write is a WARN naming the directory and its group (a deploy
   * group may be meant to write there); the gateway's own group writing it is nothing to say.
   */
  @Test
  void aKeyInADirectoryAnotherGroupMayWriteIsWarnedAboutNamingTheDirectory() throws Exception {
    Path keys = Files.createDirectory(dir.resolve("keys"));
    Path key = Files.copy(tls.keyFile(), keys.resolve("tls.key"));
    mode(key, "rw-------");
    mode(keys, "rwxrwx---");
    Map<String, String> env = env(Map.of("GATEWAY_TLS__KEY_FILE", key.toString()));
    load(env);
    assertThat(messages(Level.WARN)).as("the directory's group is the gateway's own (it made it)").isEmpty();

    java.nio.file.attribute.GroupPrincipal other = otherGroup();
    Files.getFileAttributeView(keys, java.nio.file.attribute.PosixFileAttributeView.class).setGroup(other);
    assertThat(load(env)).as("warned, not refused").isNotNull();
    assertThat(messages(Level.WARN)).singleElement().satisfies(m -> assertThat(m).contains("tls.key-file")
        .contains("directory " + keys).contains("group " + other.getName()).contains("0770")
        .contains("chmod g-w " + keys));
  }

  /**
   * The staff CA is no secret, but whoever can write it adds their own CA and signs themselves a staff certificate:
   * group or others writing it (or a directory above it, without the sticky bit) is a configuration error as for a
   * key. Readable by others is fine.
   */
  @Test
  void aClientCaFileOthersMayWriteIsAConfigurationErrorNamingItsKey() throws Exception {
    SelfSignedCertificate admin = SelfSignedCertificate.loadOrCreate(dir.resolve("admin"), Clock.systemUTC());
    Path ca = Files.copy(admin.certFile(), dir.resolve("staff-ca.pem"));
    mode(ca, "rw-r--r--");
    Map<String, String> withCa = env(Map.of(
        "GATEWAY_ADMIN__TLS__CERT_FILE", admin.certFile().toString(),
        "GATEWAY_ADMIN__TLS__KEY_FILE", admin.keyFile().toString(),
        "GATEWAY_ADMIN__TLS__CLIENT_CA_FILE", ca.toString()));
    assertThat(load(withCa)).isNotNull();
    mode(ca, "rw-rw-r--");
    assertThatThrownBy(() -> load(withCa)).isInstanceOf(ConfigException.class)
        .hasMessageContaining("admin.tls.client-ca-file").hasMessageContaining(ca.toString())
        .hasMessageContaining("0664").hasMessageContaining("chmod go-w");
  }

  /**
   * The CAs the gateway trusts its backend and PostgreSQL by: whoever can write one adds their own CA and is taken
   * for that peer, seeing every proxied request with its identity headers, or the database's password, hashes and
   * sessions. Refused at start as the staff CA is, the file's own mode and its directory's; readable by others is fine.
   */
  @Test
  void theBackendsCaFileOthersMayWriteIsAConfigurationErrorNamingItsKey() throws Exception {
    Path ca = Files.copy(tls.certFile(), dir.resolve("backend-ca.pem"));
    mode(ca, "rw-r--r--");
    Map<String, String> withCa = env(Map.of(
        "GATEWAY_BACKEND__URL", "https://127.0.0.1:9443", "GATEWAY_BACKEND__TRUST_FILE", ca.toString()));
    assertThat(load(withCa)).isNotNull();
    mode(ca, "rw-rw-r--");
    assertThatThrownBy(() -> load(withCa)).isInstanceOf(ConfigException.class)
        .hasMessageContaining("backend.trust-file").hasMessageContaining(ca.toString())
        .hasMessageContaining("0664").hasMessageContaining("chmod go-w " + ca);
  }

  @Test
  void theDatabasesRootCertificateInADirectoryOthersMayWriteIsAConfigurationErrorNamingItsKey() throws Exception {
    Path cas = Files.createDirectory(dir.resolve("cas"));
    Path ca = Files.copy(tls.certFile(), cas.resolve("postgres-ca.pem"));
    mode(ca, "rw-r--r--");
    Map<String, String> withCa = env(Map.of(
        "GATEWAY_DATABASE__SSL_MODE", "verify-full", "GATEWAY_DATABASE__SSL_ROOT_CERT", ca.toString()));
    assertThat(load(withCa)).isNotNull();
    mode(ca, "rw-r---w-");
    assertThatThrownBy(() -> load(withCa)).isInstanceOf(ConfigException.class)
        .hasMessageContaining("database.ssl-root-cert").hasMessageContaining(ca.toString())
        .hasMessageContaining("0642");
    mode(ca, "rw-r--r--");
    mode(cas, "rwxrwxrwx");
    assertThatThrownBy(() -> load(withCa)).isInstanceOf(ConfigException.class)
        .hasMessageContaining("database.ssl-root-cert").hasMessageContaining("directory " + cas)
        .hasMessageContaining("chmod o-w " + cas);
    Files.setAttribute(cas, "unix:mode", 01777);
    assertThat(load(withCa)).as("the sticky bit keeps others from renaming it").isNotNull();
  }

  /**
   * The access log is created again at its path after every rotation, following links: in a directory others may
   * write without the sticky bit, anyone could put a link there and have the gateway append to a file of their
   * choosing (a key, a throttle map, or any file the gateway may write). Refused at start naming the directory, also
   * when the log's own directories are still to be made below it.
   */
  @Test
  void anAccessLogInADirectoryOthersMayWriteWithoutTheStickyBitIsAConfigurationErrorNamingTheDirectory()
      throws Exception {
    Path logs = Files.createDirectory(dir.resolve("logs"));
    Map<String, String> toFile = env(Map.of("GATEWAY_PUBLIC__ACCESS_LOG", logs.resolve("access.log").toString()));
    Map<String, String> below = env(Map.of("GATEWAY_PUBLIC__ACCESS_LOG", logs.resolve("gw/new/access.log").toString()));
    assertThat(load(toFile)).isNotNull();
    assertThat(load(below)).isNotNull();

    mode(logs, "rwxrwxrwx");
    for (Map<String, String> env : List.of(toFile, below)) {
      assertThatThrownBy(() -> load(env)).isInstanceOf(ConfigException.class)
          .hasMessageContaining("public.access-log").hasMessageContaining("directory " + logs)
          .hasMessageContaining("0777").hasMessageContaining("chmod o-w " + logs);
    }
    Files.writeString(logs.resolve("access.log"), "");
    assertThatThrownBy(() -> load(toFile)).as("an existing file as well").isInstanceOf(ConfigException.class)
        .hasMessageContaining("directory " + logs);

    Files.setAttribute(logs, "unix:mode", 01777);
    assertThat(load(toFile)).as("the sticky bit keeps others from replacing the gateway's file").isNotNull();
    assertThat(load(below)).isNotNull();
  }

  /**
   * The data directory holds the throttle maps, the record of every counter and automatic block: whoever may delete
   * or replace them there unblocks themselves (or everyone). Others writing it, or a directory above it, without the
   * sticky bit is refused at start naming the key, also when it is still to be made below such a directory.
   */
  @Test
  void aDataDirOthersMayWriteWithoutTheStickyBitIsAConfigurationErrorNamingIt() throws Exception {
    Path data = Files.createDirectory(dir.resolve("data"));
    Map<String, String> existing = env(Map.of("GATEWAY_DATA_DIR", data.toString()));
    Map<String, String> toMake = env(Map.of("GATEWAY_DATA_DIR", data.resolve("node/state").toString()));
    assertThat(load(existing)).isNotNull();
    assertThat(load(toMake)).isNotNull();

    mode(data, "rwxrwxrwx");
    assertThatThrownBy(() -> load(existing)).isInstanceOf(ConfigException.class)
        .hasMessageContaining("data-dir").hasMessageContaining(data + " is a directory others may write")
        .hasMessageContaining("0777").hasMessageContaining("chmod o-w " + data);
    assertThatThrownBy(() -> load(toMake)).isInstanceOf(ConfigException.class)
        .hasMessageContaining("data-dir").hasMessageContaining("below directory " + data);

    Files.setAttribute(data, "unix:mode", 01777);
    assertThat(load(existing)).as("the sticky bit keeps others from removing the gateway's files").isNotNull();
  }

  @Test
  void aBreachSetOthersCouldReplaceIsAConfigurationErrorNamingHibpSetPath() throws Exception {
    Path sets = Files.createDirectory(dir.resolve("sets"));
    mode(sets, "rwxr-xr-x");
    Path set = Files.write(sets.resolve("current.set"), new byte[] {1});
    mode(set, "rw-r--r--");
    Map<String, String> env = env(Map.of("GATEWAY_HIBP__SET_PATH", set.toString()));
    assertThat(load(env)).as("readable by others is fine: the set is public data").isNotNull();

    mode(set, "rw-rw-r--");
    assertThatThrownBy(() -> load(env)).isInstanceOf(ConfigException.class)
        .hasMessageContaining("hibp.set-path: breach set file " + set).hasMessageContaining("mode 0664")
        .hasMessageContaining("chmod go-w " + set);

    mode(set, "rw-r--r--");
    mode(sets, "rwxrwxrwx");
    assertThatThrownBy(() -> load(env)).isInstanceOf(ConfigException.class)
        .hasMessageContaining("hibp.set-path: breach set file " + set + " is in directory " + sets)
        .hasMessageContaining("chmod o-w " + sets);

    Files.delete(set);
    assertThatThrownBy(() -> load(env)).as("a set still to come: the directory it will be renamed into counts")
        .isInstanceOf(ConfigException.class).hasMessageContaining("hibp.set-path: breach set directory " + sets);

    Files.setAttribute(sets, "unix:mode", 01777);
    assertThat(load(env)).as("the sticky bit keeps others from renaming over the gateway owner's set").isNotNull();
  }

  @Test
  void anExtraDictionaryOthersCouldReplaceIsWarnedAboutButTaken() throws Exception {
    Path words = Files.writeString(dir.resolve("words.txt"), "kartoffel\n");
    mode(words, "rw-r--r--");
    Map<String, String> env = env(Map.of("GATEWAY_PASSWORD__EXTRA_DICTIONARIES", words.toString()));
    assertThat(load(env)).isNotNull();
    assertThat(messages(Level.WARN)).noneMatch(m -> m.contains("password.extra-dictionaries"));

    mode(words, "rw-rw-rw-");
    assertThat(load(env).password().extraDictionaries()).containsExactly(words);
    assertThat(messages(Level.WARN)).anySatisfy(m -> assertThat(m)
        .contains("password.extra-dictionaries: word list " + words).contains("mode 0666")
        .contains("chmod go-w " + words).contains("estimates may be weaker"));
  }

  /**
   * A file: secret other than the session keys (the database password; any secret key read with ConfigReader.secret)
   * was read whatever its mode: others writing it, or a directory above it without the sticky bit, is refused as a
   * key file is, naming the key, the file and the mode, never the value; readable by others is a WARN.
   */
  @Test
  void aDatabasePasswordFileOthersMayReplaceIsAConfigurationErrorNamingItsKeyAndOneOthersMayReadIsWarnedAbout()
      throws Exception {
    Path secrets = Files.createDirectory(dir.resolve("secrets"));
    Path password = Files.writeString(secrets.resolve("db-password"), "pg-s3cret\n");
    mode(password, "rw-------");
    Map<String, String> env = env(Map.of("GATEWAY_DATABASE__PASSWORD", "file:" + password));
    assertThat(load(env).database().connection().password()).isEqualTo("pg-s3cret");
    assertThat(messages(Level.WARN)).isEmpty();

    mode(password, "rw-rw----");
    assertThatThrownBy(() -> load(env)).isInstanceOf(ConfigException.class)
        .satisfies(e -> assertThat(((ConfigException) e).problems()).singleElement().satisfies(p -> assertThat(p)
            .startsWith("database.password: ").contains(password.toString()).contains("0660")
            .contains("chmod go-w " + password).doesNotContain("pg-s3cret")));

    mode(password, "rw-------");
    mode(secrets, "rwxrwxrwx");
    assertThatThrownBy(() -> load(env)).isInstanceOf(ConfigException.class)
        .hasMessageContaining("database.password").hasMessageContaining("directory " + secrets)
        .hasMessageContaining("0777");
    Path viaFile = dir.resolve("gateway-db.yaml");
    Files.writeString(viaFile, "database:\n  password: file:" + password + "\n");
    assertThatThrownBy(() -> GatewayConfig.load(viaFile, env(Map.of())::get, false))
        .as("a reference in the file, not only in the override").isInstanceOf(ConfigException.class)
        .hasMessageContaining("database.password");

    mode(secrets, "rwx------");
    mode(password, "rw-r--r--");
    assertThat(load(env)).as("readable by others: warned, as Kubernetes mounts secrets 0644").isNotNull();
    assertThat(messages(Level.WARN)).singleElement().satisfies(m -> assertThat(m)
        .contains("database.password").contains(password.toString()).contains("0644").contains("chmod o-r " + password)
        .doesNotContain("pg-s3cret").doesNotContain("private key"));
  }

  /** A group this process may give a directory to that is not its own: any other, as root (the tests' container). */
  private static java.nio.file.attribute.GroupPrincipal otherGroup() throws Exception {
    int own = (int) new com.sun.security.auth.module.UnixSystem().getGid();
    java.nio.file.attribute.UserPrincipalLookupService lookup =
        java.nio.file.FileSystems.getDefault().getUserPrincipalLookupService();
    for (long gid : new com.sun.security.auth.module.UnixSystem().getGroups()) {
      if (gid != own) {
        return lookup.lookupPrincipalByGroupName(Long.toString(gid));
      }
    }
    org.junit.jupiter.api.Assumptions.assumeTrue(own == 0, "needs a second group, or root");
    return lookup.lookupPrincipalByGroupName("daemon");
  }

  private List<String> messages(Level level) {
    synchronized (appender) {
      return appender.list.stream().filter(e -> e.getLevel() == level).map(ILoggingEvent::getFormattedMessage).toList();
    }
  }
}
