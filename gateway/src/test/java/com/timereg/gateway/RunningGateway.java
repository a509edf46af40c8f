package com.timereg.gateway;

import com.timereg.gateway.store.ConnectionSettings;
import com.timereg.gateway.testsupport.TestAccounts;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPairGenerator;
import java.security.spec.ECGenParameterSpec;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The packaged gateway as a child process, configured like production (a configuration file,
 * secrets from the environment, its own data directory), for tests that kill, restart or run
 * several nodes. Its log (stderr, one line per event) is kept for assertions.
 */
public final class RunningGateway implements AutoCloseable {
  private static final Pattern PUBLIC = Pattern.compile("public HTTPS listener on [^ ]+:(\\d+) ");
  private static final Pattern ADMIN = Pattern.compile("admin listener on https?://[^ ]+:(\\d+)");
  private static final long START_SECONDS = 120;

  private final Process process;
  private final List<String> lines = new ArrayList<>();
  private final CompletableFuture<Integer> publicPort = new CompletableFuture<>();
  private final CompletableFuture<Integer> adminPort = new CompletableFuture<>();

  private RunningGateway(Process process) {
    this.process = process;
    Thread reader = new Thread(this::readOutput, "gateway-process-output-" + process.pid());
    reader.setDaemon(true);
    reader.start();
  }

  /**
   * The environment of a production-shaped node: ports 0, its data directory, the database, a
   * signing key file, a certificate, the lowest PBKDF2 cost (tests verify many passwords on two shared cores)
   * and small maps.
   */
  public static Map<String, String> environment(Path dataDir, ConnectionSettings db, Path signingKey) {
    Map<String, String> env = new HashMap<>();
    env.put("GATEWAY_DATA_DIR", dataDir.toString());
    env.put("GATEWAY_PUBLIC__PORT", "0");
    env.put("GATEWAY_PUBLIC__EVENT_LOOPS", "1");
    env.put("GATEWAY_PUBLIC__ACCESS_LOG", dataDir.resolve("access.log").toString());
    env.put("GATEWAY_ADMIN__PORT", "0");
    env.put("GATEWAY_DATABASE__HOST", db.host());
    env.put("GATEWAY_DATABASE__PORT", Integer.toString(db.port()));
    env.put("GATEWAY_DATABASE__NAME", db.database());
    env.put("GATEWAY_DATABASE__USER", db.user());
    env.put("GATEWAY_DATABASE__PASSWORD", db.password());
    env.put("GATEWAY_SESSION__SIGNING_KEY", "file:" + signingKey);
    // A certificate of its own, as production needs one (the clients trust data-dir/tls/selfsigned-cert.pem).
    try {
      com.timereg.gateway.tls.SelfSignedCertificate cert = com.timereg.gateway.tls.SelfSignedCertificate.loadOrCreate(
          dataDir.resolve("tls"), java.time.Clock.systemUTC());
      env.put("GATEWAY_TLS__CERT_FILE", cert.certFile().toString());
      env.put("GATEWAY_TLS__KEY_FILE", cert.keyFile().toString());
    } catch (java.io.IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
    env.put("GATEWAY_PASSWORD__ITERATIONS", Integer.toString(TestAccounts.ITERATIONS));
    env.put("GATEWAY_THROTTLE__CLIENT_ENTRIES", "10000");
    env.put("GATEWAY_THROTTLE__RANGE_ENTRIES", "2000");
    return env;
  }

  /** Writes a fresh ES256 (P-256) private key as PKCS#8 PEM, as `openssl genpkey` does. */
  public static Path writeSigningKey(Path file) throws Exception {
    KeyPairGenerator generator = KeyPairGenerator.getInstance("EC");
    generator.initialize(new ECGenParameterSpec("secp256r1"));
    byte[] der = generator.generateKeyPair().getPrivate().getEncoded();
    String pem = "-----BEGIN PRIVATE KEY-----\n"
        + Base64.getMimeEncoder(64, "\n".getBytes(StandardCharsets.US_ASCII)).encodeToString(der)
        + "\n-----END PRIVATE KEY-----\n";
    Files.writeString(file, pem);
    // Owner-only, as openssl genpkey writes a key: readable by others it would be warned about at start.
    Files.setPosixFilePermissions(file, java.nio.file.attribute.PosixFilePermissions.fromString("rw-------"));
    return file;
  }

  /** Starts a node and waits until both listeners are up (the last thing the gateway does). */
  public static RunningGateway start(Path configDir, Map<String, String> env) throws Exception {
    RunningGateway g = launch(configDir, env);
    try {
      g.adminPort.get(START_SECONDS, TimeUnit.SECONDS);
    } catch (Exception e) {
      g.kill();
      throw new AssertionError("gateway did not start within " + START_SECONDS + " s; its output:\n" + g.output(), e);
    }
    return g;
  }

  /** Starts a node without waiting for it: for tests that act while it is still starting. */
  public static RunningGateway launch(Path configDir, Map<String, String> env) throws Exception {
    Path config = configDir.resolve("gateway.yaml");
    if (!Files.exists(config)) {
      Files.writeString(config, "# everything comes from the environment in these tests\n");
    }
    return new RunningGateway(GatewayProcess.builder(env, "--config", config.toString()).redirectErrorStream(true).start());
  }

  /** Waits (bounded) for a line containing {@code text}; fails with the output so far. */
  public void awaitLine(String text, long seconds) throws InterruptedException {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds);
    synchronized (lines) {
      // Woken by each line read (and by the end of the output).
      while (linesContaining(text).isEmpty()) {
        long left = deadline - System.nanoTime();
        if (left <= 0 || !process.isAlive()) {
          throw new AssertionError("no line with '" + text + "'; the output:\n" + output());
        }
        lines.wait(Math.max(1, TimeUnit.NANOSECONDS.toMillis(left)));
      }
    }
  }

  private void readOutput() {
    try (BufferedReader r = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
      for (String line = r.readLine(); line != null; line = r.readLine()) {
        synchronized (lines) {
          lines.add(line);
          lines.notifyAll();
        }
        complete(PUBLIC.matcher(line), publicPort);
        complete(ADMIN.matcher(line), adminPort);
      }
    } catch (IOException e) {
      // The process is gone; what it wrote so far is kept.
    } finally {
      adminPort.completeExceptionally(new IllegalStateException("the process ended"));
      synchronized (lines) {
        lines.notifyAll();
      }
    }
  }

  private static void complete(Matcher m, CompletableFuture<Integer> port) {
    if (m.find()) {
      port.complete(Integer.parseInt(m.group(1)));
    }
  }

  public int publicPort() {
    return publicPort.join();
  }

  public int adminPort() {
    return adminPort.join();
  }

  public String output() {
    synchronized (lines) {
      return String.join("\n", lines);
    }
  }

  /** The log lines containing {@code text}. */
  public List<String> linesContaining(String text) {
    synchronized (lines) {
      return lines.stream().filter(l -> l.contains(text)).toList();
    }
  }

  /** kill -9: {@link Process#destroyForcibly()} sends SIGKILL on Linux; no shutdown hook runs. */
  public void kill() throws InterruptedException {
    process.destroyForcibly();
    process.waitFor(30, TimeUnit.SECONDS);
  }

  /** The JVM's exit status after SIGTERM once its shutdown hooks ran: 128 + 15. */
  public static final int EXIT_AFTER_SIGTERM = 143;

  /**
   * SIGTERM, as an orchestrator stops a node: the shutdown hook closes everything cleanly.
   *
   * @return the exit status, {@link #EXIT_AFTER_SIGTERM} for an orderly stop
   */
  public int stop() throws InterruptedException {
    process.destroy();
    if (!process.waitFor(60, TimeUnit.SECONDS)) {
      process.destroyForcibly();
      throw new AssertionError("gateway did not stop within 60 s after SIGTERM; its output:\n" + output());
    }
    return process.exitValue();
  }

  @Override
  public void close() throws InterruptedException {
    if (process.isAlive()) {
      kill();
    }
  }
}
