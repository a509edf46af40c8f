package com.timereg.gateway.sso;

import com.timereg.gateway.login.LoginService;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.time.Duration;
import java.time.Instant;

/**
 * The claim checks of an ID token (OpenID Connect Core 3.1.3.7) plus the tenant, against our own
 * clock. The signature is checked before, with the provider's published keys; these checks are
 * ours rather than the library's so that each refusal has its own reason and the clock can be
 * injected.
 */
final class IdTokenCheck {
  /** Longer subjects are not identifiers (Entra's oid is a 36-character GUID). */
  static final int MAX_SUBJECT = 255;
  /** The latest time claim taken for one (the end of year 9999, as in most JWT libraries' date handling). */
  private static final Instant LATEST_TIME = Instant.parse("9999-12-31T23:59:59Z");

  /**
   * What the token must say.
   *
   * @param issuer the issuer from the provider's discovery document
   * @param nonce the nonce this sign-in sent
   */
  record Expected(String issuer, String clientId, String tenant, String nonce, Duration clockSkew) {}

  /** Either an identity or the reason there is none, with a detail for the log. */
  record Result(VerifiedIdentity identity, SsoRefusal refusal, String detail) {
    static Result refused(SsoRefusal refusal, String detail) {
      return new Result(null, refusal, detail);
    }

    boolean passed() {
      return identity != null;
    }
  }

  private IdTokenCheck() {}

  static Result check(JsonObject claims, Expected expected, Instant now) {
    if (!expected.issuer().equals(claims.getValue("iss"))) {
      return Result.refused(SsoRefusal.WRONG_ISSUER, "iss is " + printable(claims.getValue("iss")));
    }
    Result audience = audience(claims, expected.clientId());
    if (audience != null) {
      return audience;
    }
    Object tid = claims.getValue("tid");
    if (!(tid instanceof String t) || !t.equalsIgnoreCase(expected.tenant())) {
      return Result.refused(SsoRefusal.WRONG_TENANT, "tid is " + printable(tid) + ", the customer's tenant is " + expected.tenant());
    }
    Result times = times(claims, now, expected.clockSkew());
    if (times != null) {
      return times;
    }
    Object nonce = claims.getValue("nonce");
    if (!(nonce instanceof String n) || !MessageDigest.isEqual(n.getBytes(StandardCharsets.UTF_8),
        expected.nonce().getBytes(StandardCharsets.UTF_8))) {
      return Result.refused(SsoRefusal.NONCE_MISMATCH, nonce == null ? "no nonce" : "nonce of another sign-in");
    }
    String subject = nonEmpty(claims.getValue("oid"));
    if (subject == null) {
      subject = nonEmpty(claims.getValue("sub"));
    }
    if (subject == null || subject.length() > MAX_SUBJECT) {
      return Result.refused(SsoRefusal.TOKEN_INVALID, "neither oid nor sub is a usable identifier");
    }
    return new Result(new VerifiedIdentity(subject, (String) tid, email(claims), emailVerified(claims)), null, null);
  }

  /** The ID token must name us as its audience; with several audiences, azp must be us too. */
  private static Result audience(JsonObject claims, String clientId) {
    Object aud = claims.getValue("aud");
    boolean ours;
    int count;
    if (aud instanceof String s) {
      ours = s.equals(clientId);
      count = 1;
    } else if (aud instanceof JsonArray a) {
      ours = a.contains(clientId);
      count = a.size();
    } else {
      return Result.refused(SsoRefusal.WRONG_AUDIENCE, "no aud");
    }
    if (!ours) {
      return Result.refused(SsoRefusal.WRONG_AUDIENCE, "aud is " + printable(aud));
    }
    Object azp = claims.getValue("azp");
    if ((azp != null || count > 1) && !clientId.equals(azp)) {
      return Result.refused(SsoRefusal.WRONG_AUDIENCE, "azp is " + printable(azp));
    }
    return null;
  }

  private static Result times(JsonObject claims, Instant now, Duration skew) {
    Instant exp = instant(claims.getValue("exp"));
    if (exp == null) {
      return Result.refused(SsoRefusal.TOKEN_INVALID, "no exp");
    }
    if (!now.isBefore(exp.plus(skew))) {
      return Result.refused(SsoRefusal.TOKEN_EXPIRED, "expired at " + exp);
    }
    Instant iat = instant(claims.getValue("iat"));
    if (iat == null || iat.isAfter(now.plus(skew))) {
      return Result.refused(SsoRefusal.TOKEN_INVALID, iat == null ? "no iat" : "issued in the future (" + iat + ")");
    }
    Object rawNbf = claims.getValue("nbf");
    Instant nbf = instant(rawNbf);
    if (rawNbf != null && (nbf == null || nbf.isAfter(now.plus(skew)))) {
      return Result.refused(SsoRefusal.TOKEN_INVALID, "not valid before " + printable(rawNbf));
    }
    return null;
  }

  private static String email(JsonObject claims) {
    String email = address(claims.getValue("email"));
    return email != null ? email : address(claims.getValue("preferred_username"));
  }

  /**
   * Refuses an address the provider itself calls unverified. Entra sends no email_verified at all;
   * its optional claim xms_edov says whether the domain owner verified the address.
   */
  private static boolean emailVerified(JsonObject claims) {
    return notFalse(claims.getValue("email_verified")) && notFalse(claims.getValue("xms_edov"));
  }

  private static boolean notFalse(Object claim) {
    return claim == null || Boolean.TRUE.equals(claim) || "true".equalsIgnoreCase(String.valueOf(claim));
  }

  private static String address(Object claim) {
    if (!(claim instanceof String s)) {
      return null;
    }
    // As a typed login name is taken: the address in another form (full-width letters, a decomposed accent) is the
    // same account's, not a new name the lower-cased unique index would let in beside it.
    String t = LoginService.loginName(s);
    int at = t.lastIndexOf('@');
    // No space, control or invisible format character (U+200B, the bidirectional overrides U+202E,
    // U+2066..U+2069): the address may become a login name, and goes into log lines and the console.
    return at > 0 && at < t.length() - 1 && t.length() <= 254 && t.indexOf('@') == at
        && t.codePoints().noneMatch(c -> Character.isWhitespace(c) || Character.isISOControl(c)
            || Character.isSpaceChar(c) || Character.getType(c) == Character.FORMAT)
        ? t : null;
  }

  private static String nonEmpty(Object claim) {
    return claim instanceof String s && !s.isBlank() ? s : null;
  }

  /**
   * A NumericDate claim, or null when it is none or lies outside 1970..9999: such a time is no time a
   * provider means, and one near the limits of Instant would throw in the arithmetic with the skew.
   */
  private static Instant instant(Object claim) {
    if (!(claim instanceof Number n)) {
      return null;
    }
    double seconds = n.doubleValue();
    return seconds >= 0 && seconds <= LATEST_TIME.getEpochSecond() ? Instant.ofEpochSecond(n.longValue()) : null;
  }

  /** A claim for a log line: short and without control characters, since the token is untrusted input. */
  static String printable(Object value) {
    if (value == null) {
      return "(none)";
    }
    String s = visible(String.valueOf(value));
    return s.length() > 120 ? s.substring(0, 120) + "..." : s;
  }

  /**
   * The text with every control character (C0, DEL and C1), invisible format character (zero-width space U+200B, the
   * bidirectional overrides and isolates U+202A..U+202E, U+2066..U+2069) and line or paragraph separator
   * replaced by '?': untrusted words that reach the log, the audit trail and the console must neither
   * break a line nor reorder or hide what is shown around them (a name displayed as another).
   */
  static String visible(String text) {
    // \p{Cc}, not \p{Cntrl}, which is ASCII's C0 and DEL only: the C1 controls (NEL U+0085, CSI U+009B) too.
    return text.replaceAll("[\\p{Cc}\\p{Cf}\\p{Zl}\\p{Zp}]", "?");
  }
}
