package com.timereg.gateway.sso;

/**
 * Why a Microsoft sign-in was refused, mapped in one place to the HTTP status, the metric tag and
 * the message the person sees. The precise reason goes to the log, the metric and the audit
 * trail; the page says only what helps the person without helping a forger.
 */
public enum SsoRefusal {
  /** The customer's tenant or client id is missing, its secret cannot be read, or the gateway has no public address. */
  NOT_CONFIGURED("not_configured", 503, false,
      "Microsoft sign-in is not set up correctly for your organisation. Please contact your administrator."),
  /** Discovery, keys or the token endpoint did not answer in time or answered nonsense. */
  PROVIDER_UNAVAILABLE("provider_unavailable", 502, false,
      "Microsoft sign-in cannot be reached right now. Please try again in a moment."),
  /** Our own database could not be reached; nothing was decided. */
  UNAVAILABLE("unavailable", 503, false, "Sign-in is temporarily unavailable. Please try again in a moment."),
  /** The provider sent the browser back with an error (cancelled, consent refused, ...). */
  PROVIDER_ERROR("provider_error", 401, false,
      "Microsoft sign-in did not complete. You can try again."),
  /** No, an unknown, an expired or an already used state, or a different browser than the one that started. */
  INVALID_STATE("invalid_state", 400, true,
      "This sign-in has expired, was already used, or was started in another browser. Please start again."),
  /** The token endpoint refused the code (unknown, used, or the PKCE verifier does not match). */
  CODE_REJECTED("code_rejected", 401, true, Messages.UNVERIFIABLE),
  /** No ID token, a bad signature, an unknown key, or a token missing required claims. */
  TOKEN_INVALID("token_invalid", 401, true, Messages.UNVERIFIABLE),
  WRONG_ISSUER("wrong_issuer", 401, true, Messages.UNVERIFIABLE),
  WRONG_AUDIENCE("wrong_audience", 401, true, Messages.UNVERIFIABLE),
  /** The token's tid is not the customer's tenant: someone from another organisation. */
  WRONG_TENANT("wrong_tenant", 401, true, Messages.UNVERIFIABLE),
  TOKEN_EXPIRED("token_expired", 401, true, Messages.UNVERIFIABLE),
  /** The ID token's nonce is not the one this sign-in sent: a token replayed from another sign-in. */
  NONCE_MISMATCH("nonce_mismatch", 401, true, Messages.UNVERIFIABLE),
  /** The customer turned Microsoft sign-in off while the person was at the provider. */
  SSO_DISABLED("sso_disabled", 403, false,
      "Your organisation does not use Microsoft sign-in here. Please sign in with your password."),
  NO_ACCOUNT("no_account", 403, false,
      "There is no account for this Microsoft identity. Please ask your administrator for access."),
  DOMAIN_NOT_ALLOWED("domain_not_allowed", 403, false,
      "The e-mail address of this Microsoft account is not one of your organisation's. Please ask your administrator."),
  EMAIL_NOT_VERIFIED("email_not_verified", 403, false,
      "Microsoft did not confirm the e-mail address of this account, so it cannot be linked. Please ask your administrator."),
  /** Several accounts match, the account is linked to another identity, or the name is taken. */
  ACCOUNT_CONFLICT("account_conflict", 403, false,
      "This Microsoft identity cannot be linked to an account automatically. Please ask your administrator."),
  INACTIVE("inactive_user", 403, false, "Your account is disabled. Please ask your administrator.");

  private final String tag;
  private final int status;
  private final boolean countsAsInvalidLogin;
  private final String message;

  SsoRefusal(String tag, int status, boolean countsAsInvalidLogin, String message) {
    this.tag = tag;
    this.status = status;
    this.countsAsInvalidLogin = countsAsInvalidLogin;
    this.message = message;
  }

  /** The {@code outcome} tag of {@code gateway.sso.logins} and the audit reason. */
  public String tag() {
    return tag;
  }

  public int status() {
    return status;
  }

  /**
   * Whether the throttle counts it against the client: refusals only a forged, replayed or stolen
   * response produces. A person the provider did sign in but who has no account here is not an attack.
   */
  public boolean countsAsInvalidLogin() {
    return countsAsInvalidLogin;
  }

  public String message() {
    return message;
  }

  private static final class Messages {
    static final String UNVERIFIABLE = "The answer from Microsoft sign-in could not be verified, so you are not signed in. "
        + "Please start again.";
  }
}
