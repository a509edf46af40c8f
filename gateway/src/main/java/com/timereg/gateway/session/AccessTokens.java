package com.timereg.gateway.session;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.DecodeException;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.auth.JWTOptions;
import io.vertx.ext.auth.NoSuchKeyIdException;
import io.vertx.ext.auth.User;
import io.vertx.ext.auth.authentication.TokenCredentials;
import io.vertx.ext.auth.jwt.JWTAuth;
import io.vertx.ext.auth.jwt.JWTAuthOptions;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Instant;
import java.util.Base64;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.regex.Pattern;

/**
 * Signs and verifies access tokens (JWS compact form, Vert.x Auth JWT underneath).
 *
 * <p>Verification touches no database and is decided by this class, not by the token: the header's
 * {@code alg} must equal the configured algorithm and its {@code kid} must name a configured key
 * before any signature is looked at, so neither {@code none} nor a token re-signed with HS256 over
 * a public key can pass. Time is the injected clock's, not the library's.
 */
public final class AccessTokens {
  /** Far above our own tokens (about 600 bytes); refusing early bounds the work a client can cause. */
  static final int MAX_TOKEN_LENGTH = 4096;
  /**
   * The length in base64url characters of a signature of each fixed-size algorithm (RFC 7518 3.4: R and S of
   * 32 or 48 bytes each; Ed25519 64 bytes; HMAC-SHA256 32 bytes). RS256's follows the key, and the JDK refuses
   * an RSA signature of any other length itself.
   */
  private static final Map<String, Integer> SIGNATURE_CHARS = Map.of("ES256", 86, "ES384", 128, "EdDSA", 86, "HS256", 43);
  private static final Pattern COMPACT_JWS = Pattern.compile("[A-Za-z0-9_-]+\\.[A-Za-z0-9_-]+\\.[A-Za-z0-9_-]+");
  private static final Pattern SESSION_ID = Pattern.compile("[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}");
  private static final SecureRandom RANDOM = new SecureRandom();

  /** A signed access token and when it stops being accepted. */
  public record Signed(String token, Instant expiresAt) {
    @Override
    public String toString() {
      return "Signed[token=****, expiresAt=" + expiresAt + "]";
    }
  }

  /** A verified token and when it expires. */
  private record Verified(SessionIdentity identity, long exp) {}

  /**
   * Tokens already verified, by their exact text. A browser presents the same access token for its
   * whole lifetime, and an ECDSA verification costs thousands of times more than a map lookup
   * (docs/session.md, "Measured"), so each token pays it once per node. Only a string identical to one that
   * passed every check can hit, so nothing here can be forged; expiry and revocation are checked
   * again at every use. Capacity {@value #VERIFIED_CAPACITY} tokens (about 1 KB each); when full
   * and nothing has expired, further tokens are simply verified every time.
   */
  static final int VERIFIED_CAPACITY = 10_000;

  private final Map<TokenText, Verified> verified = new ConcurrentHashMap<>();

  /**
   * A token's exact text as a map key, hashed over its last characters only: they are signature, which
   * differs between any two tokens. Each request brings a new String, and String.hashCode over all of a
   * 300-character token was about 1.4% of the event loop's time per proxied request (docs/benchmarks.md).
   * Equality still compares the whole text, and only verified tokens are ever stored.
   */
  private static final class TokenText {
    private static final int HASHED_TAIL = 24;
    private final String text;
    private final int hash;

    TokenText(String text) {
      this.text = text;
      int h = text.length();
      for (int i = Math.max(0, text.length() - HASHED_TAIL); i < text.length(); i++) {
        h = 31 * h + text.charAt(i);
      }
      this.hash = h;
    }

    @Override
    public int hashCode() {
      return hash;
    }

    @Override
    public boolean equals(Object o) {
      // String.equals compares many bytes at a time; String.regionMatches (a lookup inside the header value,
      // without copying the token out) goes byte by byte, and was 3.3% of the event loop's time.
      return o instanceof TokenText other && other.hash == hash && other.text.equals(text);
    }
  }

  private final TokenKeys keys;
  private final SessionSettings settings;
  private final RevocationList revoked;
  private final SessionMetrics metrics;
  private final Clock clock;
  private final JWTAuth signer;
  /**
   * One verifier per thread: Vert.x Auth serialises each key's {@code Signature} object, which would
   * make the event loops queue behind each other on the hot path.
   */
  private final ThreadLocal<JWTAuth> verifiers;

  AccessTokens(Vertx vertx, TokenKeys keys, SessionSettings settings, RevocationList revoked, SessionMetrics metrics, Clock clock) {
    this.keys = keys;
    this.settings = settings;
    this.revoked = revoked;
    this.metrics = metrics;
    this.clock = clock;
    JWTOptions options = new JWTOptions().setAlgorithm(keys.algorithm()).setIgnoreExpiration(true);
    this.signer = JWTAuth.create(vertx, new JWTAuthOptions().addPubSecKey(keys.signingOptions()).setJWTOptions(options));
    JWTAuthOptions verifyOptions = new JWTAuthOptions().setPubSecKeys(keys.verificationOptions()).setJWTOptions(options);
    this.verifiers = ThreadLocal.withInitial(() -> JWTAuth.create(vertx, verifyOptions));
  }

  /** Signs a token for {@code identity}, valid for the access-token lifetime from now. */
  public Signed sign(SessionIdentity identity) {
    return sign(identity, Instant.MAX);
  }

  /**
   * Signs a token for {@code identity}, valid for the access-token lifetime from now but not past
   * {@code sessionEnd} (the family's absolute expiry: a session is over then, however active).
   */
  public Signed sign(SessionIdentity identity, Instant sessionEnd) {
    long iat = clock.instant().getEpochSecond();
    long exp = Math.min(iat + settings.accessTokenLifetime().getSeconds(), sessionEnd.getEpochSecond());
    byte[] jti = new byte[16];
    RANDOM.nextBytes(jti);
    JsonObject claims = new JsonObject()
        .put("sub", Long.toString(identity.userId()))
        .put("cust", identity.customer())
        .put("name", identity.loginName())
        .put("method", identity.method().value)
        .put("sid", identity.sessionId())
        .put("iat", iat)
        .put("exp", exp)
        .put("jti", Base64.getUrlEncoder().withoutPadding().encodeToString(jti));
    String token = signer.generateToken(claims, new JWTOptions().setAlgorithm(keys.algorithm()));
    return new Signed(token, Instant.ofEpochSecond(exp));
  }

  /**
   * The identity in {@code token}, or a failed future with a {@link TokenRejectedException}, counted in the
   * verification failures. The future is complete when this returns: nothing here waits for I/O.
   */
  public Future<SessionIdentity> verify(String token) {
    return verifyQuietly(token).onFailure(this::count);
  }

  /**
   * {@link #verify} without counting a refusal: for the connection's fast path, which hands every request it
   * cannot settle to the router, where {@link #verify} decides again and counts once.
   */
  Future<SessionIdentity> verifyQuietly(String token) {
    // The exact same string passed every check before; only time and revocation can change.
    Future<SessionIdentity> remembered = token == null ? null : verifyRemembered(token);
    if (remembered != null) {
      return remembered;
    }
    TokenRejection headerProblem = checkHeader(token);
    if (headerProblem != null) {
      return reject(headerProblem);
    }
    Future<User> authenticated;
    try {
      authenticated = verifiers.get().authenticate(new TokenCredentials(token));
    } catch (ClassCastException | NullPointerException e) {
      // Vert.x Auth reads exp, iat and nbf as numbers after the signature held, and throws (rather than
      // failing its future) on a string or null there: a token we signed, with claims of the wrong type.
      return reject(TokenRejection.CLAIMS);
    }
    return authenticated.transform(ar -> {
      if (ar.failed()) {
        return reject(classify(ar.cause()));
      }
      return checkClaims(token, ar.result());
    });
  }

  /**
   * For a token that passed every check before: what {@link #verifyQuietly} would complete with (expiry and
   * revocation checked again), in one lookup. Null when no such token is remembered; then only
   * {@link #namesOurKey} and {@link #verify} can decide.
   */
  Future<SessionIdentity> verifyRemembered(String token) {
    Verified known = verified.get(new TokenText(token));
    return known == null ? null : admit(known, clock.instant());
  }

  /**
   * When {@code token}, which {@link #verify} has just accepted, expires: for what outlives the request it
   * authenticated (a WebSocket tunnel). Null if it cannot be read.
   */
  Instant expiry(String token) {
    Verified known = verified.get(new TokenText(token));
    if (known != null) {
      return Instant.ofEpochSecond(known.exp);
    }
    // Not remembered (the map was full): the claims of a token that verified can be read as they are.
    int first = token.indexOf('.');
    int second = token.indexOf('.', first + 1);
    try {
      byte[] json = Base64.getUrlDecoder().decode(token.substring(first + 1, second));
      Object exp = new JsonObject(new String(json, StandardCharsets.UTF_8)).getValue("exp");
      return exp instanceof Number seconds ? Instant.ofEpochSecond(seconds.longValue()) : null;
    } catch (IllegalArgumentException | IndexOutOfBoundsException | DecodeException e) {
      return null;
    }
  }

  /** Drops remembered tokens that have expired; returns how many remain. */
  int sweep(Instant now) {
    verified.values().removeIf(v -> now.getEpochSecond() >= v.exp);
    return verified.size();
  }

  /**
   * True when {@code token}'s header names one of our key ids: such a token is ours to decide
   * (and to strip before proxying); any other bearer token belongs to the backend.
   */
  boolean namesOurKey(String token) {
    if (token != null && verified.containsKey(new TokenText(token))) {
      // Verified before, so its header named our key: skip decoding it again on every request.
      return true;
    }
    JsonObject header = header(token);
    return header != null && header.getValue("kid") instanceof String kid && keys.keyIds().contains(kid);
  }

  private TokenRejection checkHeader(String token) {
    if (token == null || token.length() > MAX_TOKEN_LENGTH || !COMPACT_JWS.matcher(token).matches()
        || !canonicalParts(token)) {
      return TokenRejection.MALFORMED;
    }
    JsonObject header = header(token);
    if (header == null || header.containsKey("crit")) {
      // RFC 7515 4.1.11: extensions we do not understand must make the token invalid.
      return TokenRejection.MALFORMED;
    }
    if (!(header.getValue("alg") instanceof String alg) || !alg.equals(keys.algorithm())) {
      return TokenRejection.ALGORITHM;
    }
    int signatureChars = SIGNATURE_CHARS.getOrDefault(alg, -1);
    if (signatureChars >= 0 && token.length() - token.lastIndexOf('.') - 1 != signatureChars) {
      // Vert.x reads an ECDSA signature of any length as R and S: a byte more would still verify.
      return TokenRejection.MALFORMED;
    }
    if (!(header.getValue("kid") instanceof String kid) || !keys.keyIds().contains(kid)) {
      return TokenRejection.UNKNOWN_KEY;
    }
    return null;
  }

  /**
   * Whether each of the token's three parts is base64url as an encoder writes it: a length that whole bytes
   * give, and zero in the bits of the last character that no byte uses. Decoders ignore those bits, so
   * without this check one signature has several spellings that all verify (for ES256, 16 endings of its
   * last character): one issued token would pass as several, each verified anew, where the gateway and the
   * backend might count or deny tokens by their text.
   */
  static boolean canonicalParts(String token) {
    int start = 0;
    while (start <= token.length()) {
      int end = token.indexOf('.', start);
      if (end < 0) {
        end = token.length();
      }
      int length = end - start;
      int unused = switch (length % 4) {
        case 0 -> 0;
        case 2 -> 0x0F;  // the last character carries 2 bits of the last byte
        case 3 -> 0x03;  // it carries 4
        default -> -1;   // a single character left over: no whole byte
      };
      if (unused < 0 || (length > 0 && (base64UrlValue(token.charAt(end - 1)) & unused) != 0)) {
        return false;
      }
      start = end + 1;
    }
    return true;
  }

  private static int base64UrlValue(char c) {
    if (c >= 'A' && c <= 'Z') {
      return c - 'A';
    }
    if (c >= 'a' && c <= 'z') {
      return c - 'a' + 26;
    }
    if (c >= '0' && c <= '9') {
      return c - '0' + 52;
    }
    return c == '-' ? 62 : 63;
  }

  private static JsonObject header(String token) {
    int dot = token == null ? -1 : token.indexOf('.');
    if (dot <= 0 || token.length() > MAX_TOKEN_LENGTH) {
      return null;
    }
    try {
      byte[] json = Base64.getUrlDecoder().decode(token.substring(0, dot));
      return new JsonObject(new String(json, StandardCharsets.UTF_8));
    } catch (IllegalArgumentException | DecodeException | ClassCastException e) {
      return null;
    }
  }

  private Future<SessionIdentity> checkClaims(String token, User user) {
    JsonObject claims = user.attributes().getJsonObject("accessToken");
    SessionIdentity identity;
    long iat;
    long exp;
    Long nbf;
    try {
      iat = claims.getLong("iat");
      exp = claims.getLong("exp");
      nbf = claims.getLong("nbf");
      String sid = text(claims, "sid");
      AuthMethod method = AuthMethod.fromValue(text(claims, "method")).orElse(null);
      String cust = text(claims, "cust");
      String name = text(claims, "name");
      if (sid == null || !SESSION_ID.matcher(sid).matches() || method == null || cust == null || name == null
          || text(claims, "jti") == null) {
        return reject(TokenRejection.CLAIMS);
      }
      identity = new SessionIdentity(Long.parseLong(text(claims, "sub")), cust, name, method, sid);
    } catch (ClassCastException | NullPointerException | NumberFormatException e) {
      return reject(TokenRejection.CLAIMS);
    }
    Instant now = clock.instant();
    long nowSeconds = now.getEpochSecond();
    long skew = settings.clockSkewTolerance().getSeconds();
    if (nowSeconds >= exp) {
      return reject(TokenRejection.EXPIRED);
    }
    if (iat > nowSeconds + skew || (nbf != null && nbf > nowSeconds + skew)) {
      return reject(TokenRejection.NOT_YET_VALID);
    }
    if (exp > nowSeconds + settings.accessTokenLifetime().getSeconds() + skew) {
      // Longer than we ever issue: the revocation list would forget this session before the token ends.
      return reject(TokenRejection.CLAIMS);
    }
    Verified v = new Verified(identity, exp);
    Future<SessionIdentity> admitted = admit(v, now);
    if (admitted.succeeded()) {
      remember(token, v, now);
    }
    return admitted;
  }

  /** The checks that a token which passed once must pass again at every use. */
  private Future<SessionIdentity> admit(Verified v, Instant now) {
    if (now.getEpochSecond() >= v.exp) {
      return reject(TokenRejection.EXPIRED);
    }
    if (revoked.isRevoked(v.identity.sessionId(), now.toEpochMilli())) {
      return reject(TokenRejection.REVOKED);
    }
    return Future.succeededFuture(v.identity);
  }

  private void remember(String token, Verified v, Instant now) {
    if (verified.size() >= VERIFIED_CAPACITY) {
      sweep(now);
      if (verified.size() >= VERIFIED_CAPACITY) {
        return;
      }
    }
    verified.put(new TokenText(token), v);
  }

  /** A claim that must be a JSON string; JsonObject.getString would turn a number or object into one. */
  private static String text(JsonObject claims, String name) {
    return claims.getValue(name) instanceof String s ? s : null;
  }

  private static TokenRejection classify(Throwable failure) {
    if (failure instanceof NoSuchKeyIdException) {
      return TokenRejection.UNKNOWN_KEY;
    }
    if (failure instanceof DecodeException || failure instanceof IllegalArgumentException) {
      return TokenRejection.MALFORMED;
    }
    return TokenRejection.SIGNATURE;
  }

  private static <T> Future<T> reject(TokenRejection reason) {
    return Future.failedFuture(new TokenRejectedException(reason));
  }

  private void count(Throwable failure) {
    if (failure instanceof TokenRejectedException rejected) {
      metrics.verificationFailed(rejected.reason());
    }
  }
}
