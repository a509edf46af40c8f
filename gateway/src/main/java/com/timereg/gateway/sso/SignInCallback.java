package com.timereg.gateway.sso;

import com.timereg.gateway.login.SafeRedirect;
import com.timereg.gateway.session.AuthMethod;
import com.timereg.gateway.session.SessionService;
import com.timereg.gateway.sso.SsoService.CallbackParams;
import com.timereg.gateway.sso.SsoService.CallbackResult;
import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.auth.NoSuchKeyIdException;
import java.net.InetAddress;
import java.security.SignatureException;
import java.time.Clock;
import java.time.Instant;
import java.util.Optional;
import java.util.function.Supplier;

/**
 * The way back from the provider, every step refusing on its own: the state (known, unused, not
 * expired, same browser), the provider's answer, the code exchange (with the PKCE verifier), the
 * ID token (signature by the provider's keys, then issuer, audience, tenant, times and nonce), the
 * account, and finally the session.
 */
final class SignInCallback {
  /** Authorization codes are a few hundred characters (Entra's about 1 kB); more is not a code. */
  static final int MAX_CODE = 4096;

  /** What is known so far about the sign-in, for the audit trail of a refusal. */
  private record Context(InetAddress client, PendingSignIn pending, SsoCustomer customer) {}

  private final SsoSettings settings;
  private final SsoDirectory directory;
  private final SsoRequests requests;
  private final Providers providers;
  private final AccountMatcher accounts;
  private final SessionService sessions;
  private final SsoService.Outcomes outcomes;
  private final Supplier<Optional<String>> redirectUri;
  private final Clock clock;

  SignInCallback(SsoSettings settings, SsoDirectory directory, SsoRequests requests, Providers providers,
      AccountMatcher accounts, SessionService sessions, SsoService.Outcomes outcomes,
      Supplier<Optional<String>> redirectUri, Clock clock) {
    this.settings = settings;
    this.directory = directory;
    this.requests = requests;
    this.providers = providers;
    this.accounts = accounts;
    this.sessions = sessions;
    this.outcomes = outcomes;
    this.redirectUri = redirectUri;
    this.clock = clock;
  }

  Future<CallbackResult> complete(InetAddress client, CallbackParams params, String browserBinding) {
    if (!Randoms.wellFormed(params.state())) {
      return refused(new Context(client, null, null), SsoRefusal.INVALID_STATE, "no or malformed state");
    }
    if (!Randoms.wellFormed(browserBinding)) {
      return refused(new Context(client, null, null), SsoRefusal.INVALID_STATE,
          "no sign-in cookie (another browser, or cookies blocked)");
    }
    byte[] stateHash = Randoms.sha256(params.state());
    return requests.take(stateHash, Randoms.sha256(browserBinding))
        .compose(found -> found.isPresent()
            ? withPending(new Context(client, found.get(), null), params)
            : requests.pending(stateHash).compose(elsewhere -> refused(new Context(client, null, null),
                SsoRefusal.INVALID_STATE, elsewhere
                    ? "the state belongs to a sign-in started in another browser"
                    : "unknown, expired or already used state")))
        .recover(e -> outcomes.failed(client, null, null, e).map(r -> (CallbackResult) new CallbackResult.Refused(r)));
  }

  private Future<CallbackResult> withPending(Context ctx, CallbackParams params) {
    PendingSignIn pending = ctx.pending();
    if (!clock.instant().isBefore(pending.expiresAt())) {
      return refused(ctx, SsoRefusal.INVALID_STATE, "the sign-in expired at " + pending.expiresAt());
    }
    if (params.error() != null) {
      return refused(ctx, SsoRefusal.PROVIDER_ERROR, "the provider answered " + IdTokenCheck.printable(params.error())
          + (params.errorDescription() == null ? "" : ": " + IdTokenCheck.printable(params.errorDescription())));
    }
    if (params.code() == null || params.code().isEmpty() || params.code().length() > MAX_CODE) {
      return refused(ctx, SsoRefusal.CODE_REJECTED, "no usable code");
    }
    return directory.customer(pending.customerId()).compose(found -> {
      if (found.isEmpty() || !found.get().usesSso()) {
        return refused(ctx, SsoRefusal.SSO_DISABLED, "the customer no longer uses Microsoft sign-in");
      }
      Context known = new Context(ctx.client(), pending, found.get());
      if (!found.get().configured() || redirectUri.get().isEmpty()) {
        return refused(known, SsoRefusal.NOT_CONFIGURED, "tenant, client id or sso.public-base-url missing");
      }
      return providers.get(found.get())
          .compose(provider -> exchange(found.get(), provider, params.code(), pending))
          .compose(identity -> signIn(known, identity))
          .recover(e -> outcomes.failed(known.client(), known.customer(), pending.loginHint(), e)
              .map(r -> (CallbackResult) new CallbackResult.Refused(r)));
    });
  }

  /** Exchanges the code and checks the ID token; fails with {@link SsoException}. */
  private Future<VerifiedIdentity> exchange(SsoCustomer customer, Providers.Provider provider, String code,
      PendingSignIn pending) {
    return Providers.onCallerContext(providers.exchange(provider, code, redirectUri.get().orElseThrow(),
            pending.codeVerifier()))
        .recover(e -> {
          SsoException failure = e instanceof SsoException s ? s : TokenFailures.ofExchange(e);
          if (failure.refusal() == SsoRefusal.NOT_CONFIGURED) {
            // Perhaps the secret was rotated: read it again with the next discovery.
            providers.forget(pending.customerId(), provider);
          }
          return Future.failedFuture(failure);
        })
        .compose(tokens -> verified(customer, provider, tokens, pending, true));
  }

  /**
   * The token response's ID token: its signature by one of the provider's keys (as the library checked it), then
   * {@link IdTokenCheck}; and the token response's own expiry (expires_in), as the library refused it.
   *
   * @param mayRediscover whether a key id the provider's keys lack may send for its keys once more: the provider
   *     rotated its keys since they were read. The code is spent, so this sign-in has no other chance.
   */
  private Future<VerifiedIdentity> verified(SsoCustomer customer, Providers.Provider provider, JsonObject tokens,
      PendingSignIn pending, boolean mayRediscover) {
    IdTokenCheck.Expected expected = new IdTokenCheck.Expected(provider.issuer(), provider.clientId(), provider.tenant(),
        pending.nonce(), settings.clockSkew());
    Instant now = clock.instant();
    if (expiredResponse(tokens)) {
      return Future.failedFuture(new SsoException(SsoRefusal.TOKEN_EXPIRED, "the token response has already expired"));
    }
    String idToken = tokens.getValue("id_token") instanceof String s ? s : null;
    JsonObject claims = null;
    if (idToken != null) {
      try {
        claims = provider.keys().decode(idToken);
      } catch (NoSuchKeyIdException e) {
        providers.keyUnknown(pending.customerId(), provider, e.id());
        if (mayRediscover) {
          // The token came from the provider's own token endpoint: a key id its keys lack is a new key, signing
          // before we read it. Checked with the keys read again (at most once a minute, see Providers.forget), the
          // person signs in now, instead of being refused and counted against their address.
          return providers.get(customer).compose(fresh -> fresh == provider
              ? Future.failedFuture(TokenFailures.unaccepted(idToken, expected, now))
              : verified(customer, fresh, tokens, pending, false));
        }
        return Future.failedFuture(TokenFailures.unaccepted(idToken, expected, now));
      } catch (SignatureException | RuntimeException e) {
        claims = null;
      }
    }
    if (claims == null) {
      // No ID token whose signature is one of the provider's keys.
      SsoException refused = TokenFailures.unaccepted(idToken, expected, now);
      // Refused for another reason than an unknown key: perhaps the provider's key set lost its keys.
      return refused.refusal() == SsoRefusal.TOKEN_INVALID && idToken != null
          ? providers.checkKeysAfterRefusal(pending.customerId(), provider).compose(v -> Future.failedFuture(refused))
          : Future.failedFuture(refused);
    }
    IdTokenCheck.Result result = IdTokenCheck.check(claims, expected, now);
    return result.passed()
        ? Future.succeededFuture(result.identity())
        : Future.failedFuture(new SsoException(result.refusal(), result.detail()));
  }

  /** Whether the token response's expires_in says it expired already (beyond the clock skew), as the library held. */
  private boolean expiredResponse(JsonObject tokens) {
    Object value = tokens.getValue("expires_in");
    long expiresIn;
    if (value instanceof Number n) {
      expiresIn = n.longValue();
    } else if (value instanceof String s) {
      try {
        expiresIn = Long.parseLong(s.trim());
      } catch (NumberFormatException e) {
        return false;
      }
    } else {
      return false;
    }
    return expiresIn + settings.clockSkew().toSeconds() < 0;
  }

  private Future<CallbackResult> signIn(Context ctx, VerifiedIdentity identity) {
    return accounts.match(ctx.customer(), identity).compose(match -> sessions
        .issue(match.user().id(), ctx.customer().slug(), match.user().loginName(), AuthMethod.SSO)
        .compose(tokens -> outcomes.signedIn(ctx.client(), ctx.customer(), match, identity)
            .map(v -> (CallbackResult) new CallbackResult.Success(tokens, SafeRedirect.of(ctx.pending().next())))));
  }

  private Future<CallbackResult> refused(Context ctx, SsoRefusal refusal, String detail) {
    String hint = ctx.pending() == null ? null : ctx.pending().loginHint();
    return outcomes.refused(ctx.client(), ctx.customer(), hint, refusal, detail).map(r -> (CallbackResult) new CallbackResult.Refused(r));
  }
}
