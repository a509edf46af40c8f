package com.timereg.gateway.loadtest;

import static org.assertj.core.api.Assertions.assertThat;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpsConfigurator;
import com.sun.net.httpserver.HttpsServer;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The TLS switch README.md documents for a real deployment ({@code gatling.ssl.useInsecureTrustManager=false})
 * must verify the gateway's certificate as a client should: a trusted chain and the name dialled.
 * The stub's certificate is trusted (it is in the trust store) but issued for another name, which
 * is what a man in the middle holding any publicly trusted certificate presents. Without the
 * switch (the dev mode's self-signed certificate) anything is accepted, as before. The Gatling
 * console output of each run is kept in target/tls-gatling-*.log.
 */
class TlsVerificationIT {
  private static final String STOREPASS = "changeit";

  @TempDir
  static Path tmp;

  private HttpsServer stub;
  private Path trustStore;

  @BeforeEach
  void startStub() throws Exception {
    Path keyStore = tmp.resolve("stub.p12");
    trustStore = tmp.resolve("trust.p12");
    Path cert = tmp.resolve("stub.pem");
    for (Path p : List.of(keyStore, trustStore, cert)) {
      Files.deleteIfExists(p);
    }
    keytool("-genkeypair", "-alias", "stub", "-keyalg", "EC", "-groupname", "secp256r1", "-dname", "CN=elsewhere.example",
        "-ext", "SAN=dns:elsewhere.example", "-validity", "2", "-storetype", "PKCS12", "-keystore", keyStore.toString(),
        "-storepass", STOREPASS);
    keytool("-exportcert", "-rfc", "-alias", "stub", "-keystore", keyStore.toString(), "-storepass", STOREPASS,
        "-file", cert.toString());
    keytool("-importcert", "-noprompt", "-alias", "stub", "-file", cert.toString(), "-storetype", "PKCS12",
        "-keystore", trustStore.toString(), "-storepass", STOREPASS);

    KeyStore ks = KeyStore.getInstance("PKCS12");
    try (InputStream in = Files.newInputStream(keyStore)) {
      ks.load(in, STOREPASS.toCharArray());
    }
    KeyManagerFactory kmf = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
    kmf.init(ks, STOREPASS.toCharArray());
    SSLContext tls = SSLContext.getInstance("TLS");
    tls.init(kmf.getKeyManagers(), null, null);

    stub = HttpsServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
    stub.setHttpsConfigurator(new HttpsConfigurator(tls));
    stub.setExecutor(Executors.newFixedThreadPool(2));
    stub.createContext("/auth/token", ex -> answer(ex, "{\"access_token\":\"a\",\"refresh_token\":\"r\",\"expires_in\":3600}"));
    stub.createContext("/api/timesheets", ex -> answer(ex, "[]"));
    stub.start();
  }

  @AfterEach
  void stopStub() {
    stub.stop(0);
  }

  @Test
  void byDefaultAnyCertificateIsAcceptedAsTheDevModeNeeds() throws Exception {
    assertThat(run(Map.of())).isEqualTo(GatlingRunner.SUCCESS);
  }

  @Test
  void verifyingTrustRefusesATrustedCertificateForAnotherName() throws Exception {
    assertThat(run(Map.of("gatling.ssl.useInsecureTrustManager", "false"))).isEqualTo(GatlingRunner.ASSERTIONS_FAILED);
  }

  /**
   * Runs ProxyThroughput in a JVM of its own, as {@code mvn gatling:test} does: Gatling reads its
   * {@code gatling.*} settings once per JVM, so a run inside this one would not see them.
   */
  private int run(Map<String, String> tlsProperties) throws Exception {
    Map<String, String> props = new HashMap<>(tlsProperties);
    props.putAll(Map.of(
        "baseUrl", "https://127.0.0.1:" + stub.getAddress().getPort(),
        "javax.net.ssl.trustStore", trustStore.toString(),
        "javax.net.ssl.trustStorePassword", STOREPASS,
        "javax.net.ssl.trustStoreType", "PKCS12",
        "concurrency", "1",
        "duration", "10s",
        "maxFailedPct", "0",
        "p99Ms", "60000"));
    List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
        "-cp", System.getProperty("java.class.path"),
        "--add-opens=java.base/java.lang=ALL-UNNAMED", "--add-opens=java.base/jdk.internal.misc=ALL-UNNAMED"));
    props.forEach((k, v) -> command.add("-D" + k + "=" + v));
    command.addAll(List.of("io.gatling.app.Gatling", "--simulation", ProxyThroughput.class.getName(),
        "--results-folder", tmp.resolve("gatling").toString()));
    Process p = new ProcessBuilder(command).redirectErrorStream(true)
        .redirectOutput(Path.of("target", "tls-gatling-" + System.nanoTime() + ".log").toFile()).start();
    assertThat(p.waitFor(2, TimeUnit.MINUTES)).withFailMessage("Gatling did not end").isTrue();
    return p.exitValue();
  }

  private static void keytool(String... args) throws Exception {
    List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "keytool").toString()));
    command.addAll(List.of(args));
    Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(p.waitFor()).withFailMessage("keytool failed: " + out).isZero();
  }

  private static void answer(HttpExchange ex, String json) throws IOException {
    ex.getRequestBody().readAllBytes();
    byte[] bytes = json.getBytes(StandardCharsets.UTF_8);
    ex.getResponseHeaders().add("Content-Type", "application/json");
    ex.sendResponseHeaders(200, bytes.length);
    try (OutputStream out = ex.getResponseBody()) {
      out.write(bytes);
    }
  }
}
