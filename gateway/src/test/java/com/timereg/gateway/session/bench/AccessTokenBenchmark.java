package com.timereg.gateway.session.bench;

import com.timereg.gateway.session.KeySettings;
import com.timereg.gateway.session.SessionMetrics;
import com.timereg.gateway.session.SessionService;
import com.timereg.gateway.session.SessionSettings;
import com.timereg.gateway.session.TokenKeys;
import com.timereg.gateway.store.ConnectionSettings;
import com.timereg.gateway.store.Database;
import com.timereg.gateway.store.DatabaseSettings;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.auth.JWTOptions;
import io.vertx.ext.auth.PubSecKeyOptions;
import io.vertx.ext.auth.authentication.TokenCredentials;
import io.vertx.ext.auth.jwt.JWTAuth;
import io.vertx.ext.auth.jwt.JWTAuthOptions;
import java.nio.charset.StandardCharsets;
import java.security.KeyPair;
import java.security.Signature;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.Base64;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;

/**
 * The per-request cost of checking an ES256 access token. Run with one and with two threads:
 * {@code bench/jmh AccessTokenBenchmark -f 1 -wi 3 -i 5 -t 1} and {@code ... -t 2}.
 *
 * <ul>
 *   <li>{@code jdkSignatureOnly}: the baseline, nothing but the ES256 (ECDSA P-256) verification
 *       (JDK, one {@code Signature} per thread): the least a first sight of a token costs;
 *   <li>{@code jdkRs256Only}, {@code jdkEd25519Only}: the same for the other asymmetric algorithms;
 *   <li>{@code vertxSharedProvider}: a full Vert.x Auth verification with one {@code JWTAuth} shared
 *       by all threads (what {@code AccessTokens} does on a token's first sight, except that it keeps
 *       one provider per thread);
 *   <li>{@code sessionVerify}: what the hot path does for a token it has seen before on this node
 *       ({@code SessionService.verify}: remembered token, expiry, revocation list) — the common case,
 *       as a browser sends the same access token for its whole lifetime.
 * </ul>
 * No database is contacted: verification never touches it.
 */
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@State(Scope.Benchmark)
public class AccessTokenBenchmark {
  private Vertx vertx;
  private Database database;
  private SessionService sessions;
  private JWTAuth shared;
  private KeyPair pair;
  private String token;
  private byte[] tokenBytes;
  private byte[] signingInput;
  private byte[] signature;

  @Setup(Level.Trial)
  public void setUp() throws Exception {
    vertx = Vertx.vertx();
    pair = TokenKeys.generate("ES256");
    String pem = "-----BEGIN PRIVATE KEY-----\n"
        + Base64.getMimeEncoder(64, new byte[] {'\n'}).encodeToString(pair.getPrivate().getEncoded())
        + "\n-----END PRIVATE KEY-----\n";
    TokenKeys keys = TokenKeys.load(new KeySettings("ES256", new KeySettings.ConfiguredKey("bench", pem), List.of(), false));
    Instant now = Instant.now();
    // A pool object only: nothing connects until a query, and verification makes none.
    database = Database.create(vertx, DatabaseSettings.of(new ConnectionSettings("127.0.0.1", 5432, "bench", "bench", "")));
    sessions = SessionService.create(vertx, database, SessionSettings.DEFAULTS, keys, SessionMetrics.NOOP,
        Clock.fixed(now, ZoneOffset.UTC));
    String publicPem = "-----BEGIN PUBLIC KEY-----\n"
        + Base64.getMimeEncoder(64, new byte[] {'\n'}).encodeToString(pair.getPublic().getEncoded())
        + "\n-----END PUBLIC KEY-----\n";
    shared = JWTAuth.create(vertx, new JWTAuthOptions()
        .addPubSecKey(new PubSecKeyOptions().setAlgorithm("ES256").setId("bench").setBuffer(publicPem))
        .setJWTOptions(new JWTOptions().setAlgorithm("ES256").setIgnoreExpiration(true)));

    JsonObject header = new JsonObject().put("typ", "JWT").put("alg", "ES256").put("kid", "bench");
    JsonObject claims = new JsonObject().put("sub", "42").put("cust", "acme").put("name", "alice")
        .put("method", "password").put("sid", UUID.randomUUID().toString())
        .put("iat", now.getEpochSecond()).put("exp", now.getEpochSecond() + 300).put("jti", "bench-jti");
    String input = b64(header.encode()) + "." + b64(claims.encode());
    signingInput = input.getBytes(StandardCharsets.US_ASCII);
    Signature s = Signature.getInstance("SHA256withECDSAinP1363Format");
    s.initSign(pair.getPrivate());
    s.update(signingInput);
    signature = s.sign();
    token = input + "." + Base64.getUrlEncoder().withoutPadding().encodeToString(signature);
    tokenBytes = token.getBytes(StandardCharsets.US_ASCII);
    if (sessions.verify(token).failed()) {
      throw new IllegalStateException("benchmark token does not verify", sessions.verify(token).cause());
    }
  }

  @TearDown(Level.Trial)
  public void tearDown() {
    database.close();
    vertx.close();
  }

  /** Per-thread JDK verifier for the baseline. */
  @State(Scope.Thread)
  public static class JdkVerifier {
    Signature signature;

    @Setup(Level.Trial)
    public void setUp() throws Exception {
      signature = Signature.getInstance("SHA256withECDSAinP1363Format");
    }
  }

  @Benchmark
  public boolean jdkSignatureOnly(JdkVerifier v) throws Exception {
    v.signature.initVerify(pair.getPublic());
    v.signature.update(signingInput);
    return v.signature.verify(signature);
  }

  /** Per-thread JDK verifiers for the other algorithms. */
  @State(Scope.Thread)
  public static class OtherVerifiers {
    Signature rsa;
    Signature ed;
    KeyPair rsaPair;
    KeyPair edPair;
    byte[] rsaSignature;
    byte[] edSignature;
    byte[] input = "eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiI0MiJ9".getBytes(StandardCharsets.US_ASCII);

    @Setup(Level.Trial)
    public void setUp() throws Exception {
      rsaPair = TokenKeys.generate("RS256");
      edPair = TokenKeys.generate("EdDSA");
      rsa = Signature.getInstance("SHA256withRSA");
      rsa.initSign(rsaPair.getPrivate());
      rsa.update(input);
      rsaSignature = rsa.sign();
      ed = Signature.getInstance("Ed25519");
      ed.initSign(edPair.getPrivate());
      ed.update(input);
      edSignature = ed.sign();
    }
  }

  @Benchmark
  public boolean jdkRs256Only(OtherVerifiers v) throws Exception {
    v.rsa.initVerify(v.rsaPair.getPublic());
    v.rsa.update(v.input);
    return v.rsa.verify(v.rsaSignature);
  }

  @Benchmark
  public boolean jdkEd25519Only(OtherVerifiers v) throws Exception {
    v.ed.initVerify(v.edPair.getPublic());
    v.ed.update(v.input);
    return v.ed.verify(v.edSignature);
  }

  /** A new String each time, as each request brings one: its hash and equality cost count. */
  @Benchmark
  public Object sessionVerify() {
    return sessions.verify(new String(tokenBytes, StandardCharsets.US_ASCII)).result();
  }

  @Benchmark
  public Object vertxSharedProvider() {
    return shared.authenticate(new TokenCredentials(token)).result();
  }

  private static String b64(String s) {
    return Base64.getUrlEncoder().withoutPadding().encodeToString(s.getBytes(StandardCharsets.UTF_8));
  }
}
