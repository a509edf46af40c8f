package com.timereg.gateway.sso;

import com.timereg.gateway.session.IssuedTokens;
import com.timereg.gateway.session.SessionService;
import com.timereg.gateway.throttle.FailureKind;
import com.timereg.gateway.throttle.ThrottleService;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.sqlclient.Pool;
import java.net.InetAddress;
import java.time.Clock;
import java.util.Optional;
import java.util.function.IntSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Microsoft sign-in (OpenID Connect authorization code flow with PKCE, state and nonce) for
 * customers whose mode is optional or required. {@link #start} sends the browser to the
 * customer's provider; {@link #callback} takes it back, exchanges the code, checks the ID token,
 * finds the account and issues the same session a password login gets, with method {@code sso}.
 *
 * <p>Shared by every event loop; call {@link #startHousekeeping()} once and {@link #stop()} on shutdown.
 */
public final class SsoService {
  private static final Logger LOG = LoggerFactory.getLogger(SsoService.class);
  /** How often expired pending sign-ins are deleted. */
  static final long PURGE_INTERVAL_MILLIS = 60_000;

  /** What starting a sign-in came to. */
  public sealed interface StartResult {
    /**
     * Go to the provider.
     *
     * @param browserBinding the value of the {@link SsoRoutes#BINDING_COOKIE} cookie to set
     */
    record Redirect(String location, String browserBinding) implements StartResult {}

    /** The name's customer does not use Microsoft sign-in, or nobody has the name: the password form. */
    record NotAvailable() implements StartResult {}

    record Refused(SsoRefusal refusal) implements StartResult {}

    /**
     * This client address started {@link SsoSettings#maxStartsPerAddressPerMinute()} sign-ins within the last
     * minute: nothing was written; 429 with Retry-After.
     */
    record TooMany(long retryAfterSeconds) implements StartResult {}

    /**
     * {@link SsoSettings#maxPendingSignIns()} sign-ins are pending, from all addresses together: nothing was
     * written; 503 with Retry-After (expired ones are deleted once a minute).
     */
    record Busy(long retryAfterSeconds) implements StartResult {}
  }

  /** What a callback came to. */
  public sealed interface CallbackResult {
    /** Signed in: set the session cookies and go to {@code next}. */
    record Success(IssuedTokens tokens, String next) implements CallbackResult {}

    record Refused(SsoRefusal refusal) implements CallbackResult {}
  }

  /** The query parameters of a callback, each as received (null when absent). */
  public record CallbackParams(String state, String code, String error, String errorDescription) {}

  private final Vertx vertx;
  private final SsoSettings settings;
  private final SsoRequests requests;
  private final Providers providers;
  private final SignInStart starter;
  private final SignInCallback finisher;
  private final Clock clock;
  private long purgeTimer = -1;

  /**
   * @param publicPort the public listener's port, for dev mode's https://localhost:PORT when
   *     {@link SsoSettings#publicBaseUrl()} is not set (read when needed: it is known only once listening)
   * @param throttleClock the clock the throttle counts by; the starts a client address may make a minute are
   *     counted by it too
   * @param node this node's name in the audit trail
   */
  public SsoService(Vertx vertx, Pool pool, SsoSettings settings, SecretReferences secrets, IntSupplier publicPort,
      SessionService sessions, ThrottleService throttle, Clock throttleClock, SsoMetrics metrics, String node,
      Clock clock) {
    this.vertx = vertx;
    this.settings = settings;
    this.clock = clock;
    this.requests = new SsoRequests(pool);
    this.providers = new Providers(vertx, settings, secrets, clock);
    SsoDirectory directory = new SsoDirectory(pool);
    Outcomes outcomes = new Outcomes(new SsoAudit(pool, node, clock), metrics,
        client -> throttle.recordFailure(client, null, FailureKind.SSO_REJECTED),
        (client, loginName) -> throttle.recordSuccess(client, loginName));
    java.util.function.Supplier<Optional<String>> redirectUri = () -> redirectUri(settings, publicPort.getAsInt());
    StartLimiter limiter = new StartLimiter(settings.maxStartsPerAddressPerMinute(), StartLimiter.DEFAULT_MAX_CLIENTS,
        throttle.clientKeys(), throttleClock);
    this.starter = new SignInStart(settings, directory, requests, providers, limiter, outcomes, redirectUri, clock);
    this.finisher = new SignInCallback(settings, directory, requests, providers, new AccountMatcher(directory), sessions,
        outcomes, redirectUri, clock);
  }

  /** The redirect URI registered with the provider: the public address plus {@value SsoSettings#CALLBACK_PATH}. */
  static Optional<String> redirectUri(SsoSettings settings, int publicPort) {
    if (settings.publicBaseUrl().isPresent()) {
      return Optional.of(settings.publicBaseUrl().get().toString() + SsoSettings.CALLBACK_PATH);
    }
    return settings.devMode() && publicPort > 0
        ? Optional.of("https://localhost:" + publicPort + SsoSettings.CALLBACK_PATH)
        : Optional.empty();
  }

  /**
   * Begins a sign-in for the customer of {@code loginName}. Never fails: a database that cannot
   * answer becomes {@link SsoRefusal#UNAVAILABLE}.
   *
   * @param next where to go afterwards (made safe here)
   * @param browserBinding the binding cookie the browser already has, or null
   */
  public Future<StartResult> start(InetAddress client, String loginName, String next, String browserBinding) {
    return starter.start(client, loginName, next, browserBinding);
  }

  /** Completes a sign-in. Never fails: every problem is a {@link CallbackResult.Refused}. */
  public Future<CallbackResult> callback(InetAddress client, CallbackParams params, String browserBinding) {
    return finisher.complete(client, params, browserBinding);
  }

  public SsoSettings settings() {
    return settings;
  }

  /**
   * Counts the pending sign-ins now, then deletes expired ones every minute and counts them again (for {@link
   * SsoSettings#maxPendingSignIns()}: a count a minute instead of one per start).
   */
  public void startHousekeeping() {
    recount();
    purgeTimer = vertx.setPeriodic(PURGE_INTERVAL_MILLIS, id -> requests.purgeExpired(clock.instant())
        .onSuccess(n -> {
          if (n > 0) {
            LOG.debug("deleted {} expired pending sign-in(s)", n);
          }
        })
        .onFailure(e -> LOG.warn("could not delete expired pending sign-ins: {}", e.toString()))
        .onComplete(ar -> recount()));
  }

  private void recount() {
    requests.recount()
        .onSuccess(n -> {
          if (n >= settings.maxPendingSignIns()) {
            LOG.warn("{} pending sign-ins, sso.max-pending-sign-ins is {}: new Microsoft sign-ins are refused until "
                + "expired ones are deleted", n, settings.maxPendingSignIns());
          }
        })
        .onFailure(e -> LOG.warn("could not count pending sign-ins: {}", e.toString()));
  }

  public void stop() {
    vertx.cancelTimer(purgeTimer);
    providers.closeAll();
  }

  /**
   * Logs, audits and counts a finished sign-in in one place, so no path can forget one of the three.
   */
  static final class Outcomes {
    interface Failures {
      void record(InetAddress client);
    }

    interface Successes {
      void record(InetAddress client, String loginName);
    }

    private final SsoAudit audit;
    private final SsoMetrics metrics;
    private final Failures failures;
    private final Successes successes;

    Outcomes(SsoAudit audit, SsoMetrics metrics, Failures failures, Successes successes) {
      this.audit = audit;
      this.metrics = metrics;
      this.failures = failures;
      this.successes = successes;
    }

    Future<SsoRefusal> refused(InetAddress client, SsoCustomer customer, String loginHint, SsoRefusal refusal,
        String detail) {
      metrics.login(refusal.tag());
      if (refusal.countsAsInvalidLogin()) {
        failures.record(client);
      }
      return audit.refused(client, customer, loginHint, refusal, detail).map(refusal);
    }

    /** A failure of any kind on the way: an expected refusal, or our database failing. */
    Future<SsoRefusal> failed(InetAddress client, SsoCustomer customer, String loginHint, Throwable e) {
      if (e instanceof SsoException s) {
        return refused(client, customer, loginHint, s.refusal(), s.getMessage());
      }
      LOG.warn("SSO sign-in failed unexpectedly: {}", e.toString());
      return refused(client, customer, loginHint, SsoRefusal.UNAVAILABLE, e.getClass().getSimpleName());
    }

    Future<Void> signedIn(InetAddress client, SsoCustomer customer, AccountMatcher.Match match, VerifiedIdentity identity) {
      metrics.login(SsoMetrics.SUCCESS);
      successes.record(client, match.user().loginName());
      return audit.signedIn(client, customer, match.user(), identity, match.linked(), match.created());
    }
  }
}
