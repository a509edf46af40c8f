package com.timereg.gateway.sso;

import com.timereg.gateway.login.LoginService;
import com.timereg.gateway.login.SafeRedirect;
import com.timereg.gateway.sso.SsoService.StartResult;
import io.vertx.core.Future;
import io.vertx.ext.auth.oauth2.OAuth2AuthorizationURL;
import java.net.InetAddress;
import java.time.Clock;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.Optional;
import java.util.function.Supplier;

/**
 * Home-realm discovery and the redirect to the provider: which customer a login name belongs to,
 * whether that customer uses Microsoft sign-in, and a fresh state, nonce and PKCE verifier
 * remembered in {@code sso_requests}.
 */
final class SignInStart {
  /** openid for the ID token; profile and email for preferred_username and email. */
  static final List<String> SCOPES = List.of("openid", "profile", "email");
  /** Longest login name the users table holds. */
  static final int MAX_LOGIN_NAME = 254;

  private final SsoSettings settings;
  private final SsoDirectory directory;
  private final SsoRequests requests;
  private final Providers providers;
  private final StartLimiter limiter;
  private final SsoService.Outcomes outcomes;
  private final Supplier<Optional<String>> redirectUri;
  private final Clock clock;

  SignInStart(SsoSettings settings, SsoDirectory directory, SsoRequests requests, Providers providers,
      StartLimiter limiter, SsoService.Outcomes outcomes, Supplier<Optional<String>> redirectUri, Clock clock) {
    this.settings = settings;
    this.directory = directory;
    this.requests = requests;
    this.providers = providers;
    this.limiter = limiter;
    this.outcomes = outcomes;
    this.redirectUri = redirectUri;
    this.clock = clock;
  }

  Future<StartResult> start(InetAddress client, String rawLoginName, String next, String browserBinding) {
    // As the password login takes a name: a name it finds in one form (full-width letters, a decomposed accent)
    // must not be "not available for Microsoft sign-in" here, least for a customer that refuses passwords.
    String loginName = LoginService.loginName(rawLoginName);
    // A NUL is no character of any name, and PostgreSQL refuses it in text: the lookup would fail as an outage.
    if (loginName.isEmpty() || loginName.length() > MAX_LOGIN_NAME || loginName.indexOf('\0') >= 0) {
      return Future.succeededFuture(new StartResult.NotAvailable());
    }
    // Before the lookup, not only before the write: the lookup is a query too, asked for without credentials, and
    // a name nobody has is no invalid login (nothing counts it, so the block check never stops it). Every name
    // looked up takes from the address's allowance, whatever the answer, so the 429 tells nothing about the name.
    // Not audited either (that is a write too), nor counted as an invalid login: an office at 9:00 is no attack.
    long wait = limiter.acquire(client);
    if (wait > 0) {
      return Future.succeededFuture(new StartResult.TooMany(wait));
    }
    return directory.customerForLogin(loginName)
        .compose(found -> {
          if (found.isEmpty() || !found.get().usesSso()) {
            return Future.succeededFuture(new StartResult.NotAvailable());
          }
          SsoCustomer customer = found.get();
          return begin(customer, loginName, next, browserBinding)
              .recover(e -> outcomes.failed(client, customer, loginName, e).map(r -> (StartResult) new StartResult.Refused(r)));
        })
        // Without the lookup nothing says the text is a name: it may be a password typed in the wrong field,
        // so it goes to neither the log nor the audit trail.
        .recover(e -> outcomes.failed(client, null, null, e).map(r -> (StartResult) new StartResult.Refused(r)));
  }

  private Future<StartResult> begin(SsoCustomer customer, String loginName, String next, String browserBinding) {
    if (!customer.configured()) {
      return Future.failedFuture(new SsoException(SsoRefusal.NOT_CONFIGURED,
          "the customer uses Microsoft sign-in but has no tenant or client id"));
    }
    Optional<String> callback = redirectUri.get();
    if (callback.isEmpty()) {
      return Future.failedFuture(new SsoException(SsoRefusal.NOT_CONFIGURED,
          "sso.public-base-url is not set, so there is no redirect URI"));
    }
    return providers.get(customer).compose(provider -> {
      String state = Randoms.token();
      String nonce = Randoms.token();
      String verifier = Randoms.token();
      // One binding per browser rather than per sign-in, so sign-ins started in two tabs both work.
      String binding = Randoms.wellFormed(browserBinding) ? browserBinding : Randoms.token();
      Instant now = clock.instant().truncatedTo(ChronoUnit.MICROS);
      PendingSignIn pending = new PendingSignIn(Randoms.sha256(binding), customer.id(), nonce, verifier, loginName,
          SafeRedirect.of(next), now, now.plus(settings.requestLifetime()));
      OAuth2AuthorizationURL url = new OAuth2AuthorizationURL()
          .setRedirectUri(callback.get())
          .setScopes(SCOPES)
          .setState(state)
          .setCodeChallenge(Randoms.pkceChallenge(verifier))
          .setCodeChallengeMethod("S256")
          .putAdditionalParameter("nonce", nonce)
          // Saves typing the name again at Microsoft; it decides nothing (the ID token does).
          .setLoginHint(loginName.indexOf('@') > 0 ? loginName : null);
      String location = provider.auth().authorizeURL(url);
      // The per-address limit does not bound many addresses together; the cap does, before anything is written.
      // Taken only here, with the write: whatever fails above takes no place.
      return requests.saveWithin(settings.maxPendingSignIns(), Randoms.sha256(state), pending)
          .map(saved -> saved
              ? (StartResult) new StartResult.Redirect(location, binding)
              : new StartResult.Busy(SsoService.PURGE_INTERVAL_MILLIS / 1000));
    });
  }
}
