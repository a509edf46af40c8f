package com.timereg.gateway.sso;

import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.RequestOptions;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.auth.JWTOptions;
import io.vertx.ext.auth.impl.jose.JWK;
import io.vertx.ext.auth.impl.jose.JWT;
import io.vertx.ext.auth.oauth2.OAuth2Auth;
import io.vertx.ext.auth.oauth2.OAuth2Options;
import java.net.URI;
import java.net.URLDecoder;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One discovered OpenID Connect provider per customer, shared by every event loop. Discovery
 * (the metadata document, then the signing keys) is network I/O, done asynchronously with a
 * timeout; the result is kept for {@link SsoSettings#providerRefresh()}, and then fetched again
 * along with the client secret, so key and secret rotations need no restart. A failed discovery is
 * remembered for {@link #RETRY_AFTER_FAILURE_MILLIS} so that an unreachable provider is not asked
 * again by every waiting browser.
 */
final class Providers {
  private static final Logger LOG = LoggerFactory.getLogger(Providers.class);
  static final long RETRY_AFTER_FAILURE_MILLIS = 10_000;
  /** A provider younger than this is not discovered again because of an unknown key or a refused code. */
  static final long MIN_AGE_FOR_EVICTION_MILLIS = 60_000;
  private static final String USER_AGENT = "timereg-auth-gateway";
  /** How a discovery document whose issuer is not the URL it was fetched from is refused (the library's words). */
  static final String ISSUER_MISMATCH = "issuer validation failed";
  /**
   * The largest discovery document or key set read (Entra's are about 10 KB): whatever answers at a provider's
   * address (a misconfigured host, a captive proxy) must not make the gateway hold hundreds of MB in its heap.
   */
  static final int MAX_DOCUMENT = 1024 * 1024;
  private static final String WELL_KNOWN = "/.well-known/openid-configuration";

  /** A discovered provider, what its tokens must say, and where its key set (jwks_uri) is. */
  record Provider(OAuth2Auth auth, String issuer, String clientId, String tenant, String keySet, OAuth2Options options,
      JWT keys, boolean secretInForm) {}

  /** RFC 6749 2.3.1's default, and what Entra takes; the form is used only for a provider that takes nothing else. */
  static final String SECRET_BASIC = "client_secret_basic";
  static final String SECRET_POST = "client_secret_post";

  private record Entry(String fingerprint, Future<Provider> provider, long createdAt) {}

  private final Vertx vertx;
  private final SsoSettings settings;
  private final SecretReferences secrets;
  private final Clock clock;
  private final Map<Long, Entry> entries = new ConcurrentHashMap<>();

  Providers(Vertx vertx, SsoSettings settings, SecretReferences secrets, Clock clock) {
    this.vertx = vertx;
    this.settings = settings;
    this.secrets = secrets;
    this.clock = clock;
  }

  /**
   * The customer's provider; fails with {@link SsoException} ({@link SsoRefusal#NOT_CONFIGURED} or
   * {@link SsoRefusal#PROVIDER_UNAVAILABLE}). The future completes on the caller's context.
   */
  Future<Provider> get(SsoCustomer customer) {
    String fingerprint = customer.tenantId() + "|" + customer.clientId() + "|" + customer.secretReference();
    long now = clock.millis();
    Promise<Provider> discovered = Promise.promise();
    Entry entry = entries.compute(customer.id(), (id, current) -> fresh(current, fingerprint, now)
        ? current
        : new Entry(fingerprint, discovered.future(), now));
    // Started outside compute(): the map must not be touched from inside its own update.
    if (entry.provider() == discovered.future()) {
      discover(customer)
          .onSuccess(p -> LOG.info("SSO provider of customer {} discovered: issuer {}", customer.slug(), p.issuer()))
          .onComplete(discovered);
    }
    return onCallerContext(entry.provider());
  }

  /**
   * Forgets a customer's provider so the next sign-in discovers it again: after a key id the
   * provider's key set does not have (the provider rotated its keys) or a refused client.
   */
  void forget(long customerId, Provider provider) {
    entries.computeIfPresent(customerId, (id, e) -> {
      boolean same = e.provider().succeeded() && e.provider().result() == provider;
      if (same && clock.millis() - e.createdAt() >= MIN_AGE_FOR_EVICTION_MILLIS) {
        closeLater(provider);
        return null;
      }
      return e;
    });
  }

  private boolean fresh(Entry e, String fingerprint, long now) {
    if (e == null || !e.fingerprint().equals(fingerprint)) {
      if (e != null) {
        e.provider().onSuccess(this::closeLater);
      }
      return false;
    }
    if (e.provider().failed()) {
      return now - e.createdAt() < RETRY_AFTER_FAILURE_MILLIS;
    }
    if (now - e.createdAt() >= settings.providerRefresh().toMillis()) {
      e.provider().onSuccess(this::closeLater);
      return false;
    }
    return true;
  }

  private Future<Provider> discover(SsoCustomer customer) {
    long timeoutMillis = settings.discoveryTimeout().toMillis();
    // Bounded like discovery: a secret file on a mount that stops answering would otherwise keep
    // this customer's entry pending, and every sign-in waiting on it, for ever.
    Future<String> secret = customer.secret().isPresent()
        ? secrets.resolve(customer.secretReference())
            .timeout(timeoutMillis, TimeUnit.MILLISECONDS)
            .recover(e -> Future.failedFuture(new SsoException(SsoRefusal.NOT_CONFIGURED,
                e instanceof java.util.concurrent.TimeoutException
                    ? "the secret " + customer.secretReference() + " could not be read within " + timeoutMillis + " ms"
                    : e.getMessage())))
        : Future.succeededFuture(null);
    return secret.compose(value -> {
      OAuth2Options options = options(customer, value);
      return discovered(options)
          .recover(e -> Future.failedFuture(String.valueOf(e.getMessage()).startsWith(ISSUER_MISMATCH)
                // The provider answered, with a document for another issuer: our setting (typically a
                // tenant's domain name where its GUID belongs), not an outage that will pass.
                ? new SsoException(SsoRefusal.NOT_CONFIGURED, "the discovery document at " + options.getSite()
                    + " names another issuer (is the tenant id the directory's GUID?): " + IdTokenCheck.printable(e.getMessage()))
                : new SsoException(SsoRefusal.PROVIDER_UNAVAILABLE,
                    "discovery at " + options.getSite() + " failed: " + IdTokenCheck.printable(e.getMessage()))))
          .compose(secretInForm -> checked(customer, options, secretInForm));
    }).onFailure(e -> LOG.warn("SSO provider of customer {} unavailable: {}", customer.slug(), e.getMessage()));
  }

  /**
   * Reads the discovery document into the options, as the library's {@code OpenIDConnectAuth.discover} does, but
   * bounded in size ({@link #MAX_DOCUMENT}): the library reads it whole, however large.
   */
  private Future<Boolean> discovered(OAuth2Options options) {
    String site = options.getSite();
    return bounded(site.endsWith(WELL_KNOWN) ? site : site + WELL_KNOWN).compose(body -> {
      try {
        JsonObject doc = new JsonObject(body);
        String issuer = doc.getString("issuer");
        if (issuer != null) {
          String trimmed = issuer.endsWith("/") ? issuer.substring(0, issuer.length() - 1) : issuer;
          if (options.isValidateIssuer() && !trimmed.equals(site)) {
            return Future.failedFuture(ISSUER_MISMATCH + ": received [" + issuer + "]");
          }
          options.getJWTOptions().setIssuer(issuer);
        }
        options.setAuthorizationPath(doc.getString("authorization_endpoint"))
            .setTokenPath(doc.getString("token_endpoint"))
            .setLogoutPath(doc.getString("end_session_endpoint"))
            .setRevocationPath(doc.getString("revocation_endpoint"))
            .setUserInfoPath(doc.getString("userinfo_endpoint"))
            .setJwkPath(doc.getString("jwks_uri"))
            .setIntrospectionPath(doc.getString("introspection_endpoint"))
            .setSupportedGrantTypes(null);
        JsonArray grants = doc.getJsonArray("grant_types_supported");
        if (grants != null) {
          grants.forEach(g -> options.addSupportedGrantType((String) g));
        }
        // Whether the client secret goes in the form: only when the provider names client_secret_post and not
        // client_secret_basic (RFC 8414 2: absent means client_secret_basic).
        JsonArray methods = doc.getJsonArray("token_endpoint_auth_methods_supported");
        boolean secretInForm = methods != null && methods.contains(SECRET_POST) && !methods.contains(SECRET_BASIC);
        return Future.succeededFuture(secretInForm);
      } catch (RuntimeException e) {
        return Future.failedFuture("the discovery document is no usable JSON object: " + e.getMessage());
      }
    });
  }

  /**
   * GETs a JSON document of at most {@link #MAX_DOCUMENT} bytes within {@link SsoSettings#discoveryTimeout()} in
   * total; a larger one fails as soon as the limit is passed, and its download is ended.
   */
  private Future<String> bounded(String url) {
    return fetch(new RequestOptions().setMethod(HttpMethod.GET).setAbsoluteURI(url)
            .putHeader("Accept", "application/json").putHeader("User-Agent", USER_AGENT),
        null, settings.discoveryTimeout().toMillis())
        .compose(answer -> answer.status() == 200
            ? Future.succeededFuture(answer.text())
            : Future.failedFuture("answered " + answer.status()));
  }

  /** An HTTP answer read whole (at most {@link #MAX_DOCUMENT} bytes). */
  record Answer(int status, String statusMessage, String contentType, Buffer body) {
    String text() {
      return body.toString(StandardCharsets.UTF_8);
    }
  }

  /**
   * Sends a request and reads its answer, at most {@link #MAX_DOCUMENT} bytes within {@code timeoutMillis} in total;
   * a larger answer fails as soon as the limit is passed, and its download is ended, as is one still running at the
   * timeout.
   */
  private Future<Answer> fetch(RequestOptions request, Buffer payload, long timeoutMillis) {
    if (Vertx.currentContext() == null) {
      // Off a Vert.x thread the response's handlers would be set from this thread once its future had completed,
      // and a small answer can have ended by then: the handlers are refused (IllegalStateException on the event
      // loop) and the fetch waits out its timeout. On a context they are set as the response arrives.
      Promise<Answer> onContext = Promise.promise();
      vertx.getOrCreateContext().runOnContext(v -> fetch(request, payload, timeoutMillis).onComplete(onContext));
      return onContext.future();
    }
    HttpClient client = vertx.createHttpClient(httpClientOptions());
    Promise<Answer> result = Promise.promise();
    client.request(request)
        .compose(r -> payload == null ? r.send() : r.send(payload))
        .onFailure(result::tryFail)
        .onSuccess(response -> {
          Buffer body = Buffer.buffer();
          response.handler(chunk -> {
            if (body.length() + chunk.length() > MAX_DOCUMENT) {
              result.tryFail("larger than " + MAX_DOCUMENT + " bytes");
            } else {
              body.appendBuffer(chunk);
            }
          });
          response.exceptionHandler(result::tryFail);
          response.endHandler(v -> result.tryComplete(new Answer(response.statusCode(), response.statusMessage(),
              response.getHeader("Content-Type"), body)));
        });
    // Closing the client ends a download still running: one too large, or trickled past the timeout.
    return result.future()
        .timeout(timeoutMillis, TimeUnit.MILLISECONDS)
        .andThen(ar -> client.close());
  }

  /**
   * The code exchange (RFC 6749 4.1.3 with the PKCE verifier, RFC 7636 4.5), sent as the library's {@code
   * authenticate} sends it (the client secret by HTTP Basic, id and secret form-encoded first as RFC 6749 2.3.1
   * requires, or in the form to a provider that names only client_secret_post; a public client's id in the form), but
   * read by us: the
   * library reads the token endpoint's answer whole however large, and leaves it downloading after our timeout. At
   * most {@link #MAX_DOCUMENT} bytes within {@link SsoSettings#tokenTimeout()}. Succeeds with the token response;
   * fails as the library did, with its words (an OAuth error as {@code "error: description"}), for {@link
   * TokenFailures#ofExchange}.
   */
  Future<JsonObject> exchange(Provider provider, String code, String redirectUri, String codeVerifier) {
    OAuth2Options options = provider.options();
    RequestOptions request = new RequestOptions().setMethod(HttpMethod.POST).setAbsoluteURI(options.getTokenPath())
        .putHeader("Content-Type", "application/x-www-form-urlencoded")
        .putHeader("Accept", "application/json,application/x-www-form-urlencoded;q=0.9")
        .putHeader("User-Agent", USER_AGENT);
    StringBuilder form = new StringBuilder();
    formField(form, "code", code);
    formField(form, "redirect_uri", redirectUri);
    formField(form, "code_verifier", codeVerifier);
    formField(form, "grant_type", "authorization_code");
    if (options.getClientSecret() != null && provider.secretInForm()) {
      // The provider says it takes only client_secret_post (token_endpoint_auth_methods_supported).
      formField(form, "client_id", options.getClientId());
      formField(form, "client_secret", options.getClientSecret());
    } else if (options.getClientSecret() != null) {
      // RFC 6749 2.3.1: id and secret are each form-encoded before Basic joins them, and the server decodes them
      // (Entra, and Nimbus in mock-oauth2-server): sent raw, a secret with '+' arrives with a space, one with '%'
      // is refused, and a ':' in the id would move the split.
      request.putHeader("Authorization", "Basic " + java.util.Base64.getEncoder().encodeToString(
          (URLEncoder.encode(options.getClientId(), StandardCharsets.UTF_8) + ":"
              + URLEncoder.encode(options.getClientSecret(), StandardCharsets.UTF_8)).getBytes(StandardCharsets.UTF_8)));
    } else {
      formField(form, "client_id", options.getClientId());
    }
    return fetch(request, Buffer.buffer(form.toString()), settings.tokenTimeout().toMillis())
        .recover(e -> Future.failedFuture(String.valueOf(e.getMessage()).startsWith("larger than")
            // Whatever answers there, it is no token response (a few KB): the provider's outage, as an error page is.
            ? new SsoException(SsoRefusal.PROVIDER_UNAVAILABLE,
                "the token endpoint's answer at " + options.getTokenPath() + " is " + e.getMessage() + " (not read further)")
            : e))
        .compose(Providers::tokenResponse);
  }

  private static void formField(StringBuilder form, String name, String value) {
    if (form.length() > 0) {
      form.append('&');
    }
    form.append(URLEncoder.encode(name, StandardCharsets.UTF_8)).append('=')
        .append(URLEncoder.encode(value, StandardCharsets.UTF_8));
  }

  /** The token endpoint's answer as the library took it: JSON (or a form), an OAuth error, or something else. */
  private static Future<JsonObject> tokenResponse(Answer answer) {
    String type = answer.contentType() == null ? "" : answer.contentType().toLowerCase(java.util.Locale.ROOT);
    boolean json = type.startsWith("application/json");
    JsonObject parsed = null;
    try {
      if (json) {
        parsed = new JsonObject(answer.body());
      } else if (type.startsWith("application/x-www-form-urlencoded") || type.startsWith("text/plain")) {
        parsed = new JsonObject();
        for (String pair : answer.text().split("&")) {
          int eq = pair.indexOf('=');
          if (eq > 0) {
            parsed.put(URLDecoder.decode(pair.substring(0, eq), StandardCharsets.UTF_8),
                URLDecoder.decode(pair.substring(eq + 1), StandardCharsets.UTF_8));
          }
        }
      }
    } catch (RuntimeException e) {
      parsed = null;
      if (answer.status() / 100 == 2) {
        return Future.failedFuture("the token response is no usable JSON object: " + e.getMessage());
      }
    }
    if (parsed != null && parsed.getValue("error") instanceof String error) {
      return Future.failedFuture(parsed.getValue("error_description") instanceof String description
          ? error + ": " + description
          : error);
    }
    if (answer.status() / 100 != 2) {
      return Future.failedFuture(answer.body().length() == 0
          ? answer.statusMessage()
          : answer.statusMessage() + ": " + answer.text());
    }
    if (answer.body().length() == 0) {
      return Future.failedFuture("No Body");
    }
    if (parsed == null) {
      return Future.failedFuture("Cannot handle content type: " + answer.contentType());
    }
    return Future.succeededFuture(parsed);
  }

  private OAuth2Options options(SsoCustomer customer, String secret) {
    return new OAuth2Options()
        .setSite(settings.authorityFor(customer.tenantId()))
        .setClientId(customer.clientId())
        .setClientSecret(secret)
        .setValidateIssuer(true)
        .setUserAgent(USER_AGENT)
        // The library compares expiry with the system clock; the tolerance is ours as well.
        .setJWTOptions(new JWTOptions().setLeeway((int) settings.clockSkew().toSeconds()))
        .setHttpClientOptions(httpClientOptions());
  }

  private HttpClientOptions httpClientOptions() {
    int timeoutMillis = (int) Math.min(Integer.MAX_VALUE, settings.tokenTimeout().toMillis());
    return new HttpClientOptions()
        .setConnectTimeout(timeoutMillis)
        // Idle connections to the provider are dropped, so a replaced provider leaves nothing open.
        .setIdleTimeout(60)
        .setIdleTimeoutUnit(TimeUnit.SECONDS);
  }

  /**
   * Refuses a discovery document we could not use safely: no issuer to check tokens against, no
   * keys to check signatures with, or endpoints where the code and the secret would travel in clear.
   */
  private Future<Provider> checked(SsoCustomer customer, OAuth2Options options, boolean secretInForm) {
    String issuer = options.getJWTOptions() == null ? null : options.getJWTOptions().getIssuer();
    String problem = null;
    if (issuer == null) {
      problem = "the discovery document names no issuer";
    } else if (options.getJwkPath() == null) {
      problem = "the discovery document names no jwks_uri";
    } else if (!secure(options.getAuthorizationPath()) || !secure(options.getTokenPath()) || !secure(options.getJwkPath())) {
      problem = "the discovery document names endpoints that are not https";
    }
    if (problem != null) {
      return Future.failedFuture(new SsoException(SsoRefusal.NOT_CONFIGURED, problem + " (" + options.getSite() + ")"));
    }
    // The keys are read here, bounded, and given to the library, which then fetches none itself (no jWKSet()): a new
    // key is picked up by discovering the provider again (an unknown key id, or after sso.provider-refresh).
    return keySet(options.getJwkPath()).compose(keys -> {
      if (!usableKeys(keys)) {
        return Future.failedFuture(noSigningKey(options.getJwkPath()));
      }
      JsonArray jwks = new JsonObject(keys).getJsonArray("keys");
      // The ID token's signature is checked with these (SignInCallback); the library's copy signs nothing we read.
      JWT signingKeys = new JWT();
      for (int i = 0; i < jwks.size(); i++) {
        if (jwks.getValue(i) instanceof JsonObject jwk) {
          options.addJwk(jwk);
          try {
            signingKeys.addJWK(new JWK(jwk));
          } catch (RuntimeException e) {
            // Skipped, as the library skips it.
          }
        }
      }
      OAuth2Auth auth;
      try {
        auth = OAuth2Auth.create(vertx, options);
      } catch (IllegalArgumentException | IllegalStateException e) {
        return Future.failedFuture(new SsoException(SsoRefusal.NOT_CONFIGURED,
            "unusable discovery document at " + options.getSite() + ": " + IdTokenCheck.printable(e.getMessage())));
      }
      return Future.succeededFuture(new Provider(auth, issuer, customer.clientId(), customer.tenantId(),
          options.getJwkPath(), options, signingKeys, secretInForm));
    });
  }

  /**
   * An ID token signed with a key the provider's key set does not have (the provider rotated its keys): the provider
   * is discovered again on the next sign-in (see {@link #forget}).
   */
  void keyUnknown(long customerId, Provider provider, String kid) {
    LOG.info("SSO provider of customer {} signed with unknown key {}; it will be discovered again", customerId,
        IdTokenCheck.printable(kid));
    forget(customerId, provider);
  }

  /**
   * After the library refused an ID token for another reason than an unknown key: the library refreshes the key
   * set itself (on its Cache-Control max-age), and a refresh that found it empty, or holding only encryption keys,
   * leaves it refusing every signed token, with no missing-key report. If the key set holds no signing key now,
   * that is the provider's outage: fails with {@link SsoRefusal#PROVIDER_UNAVAILABLE} and forgets the provider, so
   * a later key set with keys is discovered. Succeeds otherwise (keys there, or the set could not be read): the
   * refusal stands.
   */
  Future<Void> checkKeysAfterRefusal(long customerId, Provider provider) {
    return signingKeys(provider.keySet())
        .otherwise(true)
        .compose(usable -> {
          if (usable) {
            return Future.<Void>succeededFuture();
          }
          LOG.warn("SSO provider of customer {} refused a token and its key set holds no signing key; it will be "
              + "discovered again", customerId);
          forget(customerId, provider);
          return Future.<Void>failedFuture(noSigningKey(provider.keySet()));
        });
  }

  private static SsoException noSigningKey(String keySet) {
    return new SsoException(SsoRefusal.PROVIDER_UNAVAILABLE, "the key set at " + keySet + " holds no signing key");
  }

  /**
   * Refuses a provider whose key set holds no key the library can check a signature with (empty,
   * or only encryption or unsupported keys). The library takes such a set without complaint, and
   * every ID token would then be refused as forged (token_invalid, counted against the person's
   * office) for as long as the provider is cached: the provider's outage, reported as one. The set
   * is read once more for this, since the library does not tell what it loaded; the same JWT and JWK
   * classes decide, so both agree on what a usable key is. Whether the set holds such a key; fails with
   * {@link SsoRefusal#PROVIDER_UNAVAILABLE} if it could not be read.
   */
  private Future<Boolean> signingKeys(String keySet) {
    return keySet(keySet).map(Providers::usableKeys);
  }

  /** The key set's text; fails with {@link SsoRefusal#PROVIDER_UNAVAILABLE} if it could not be read. */
  private Future<String> keySet(String keySet) {
    // Bounded in total time, not only between two bytes: a key set trickled a byte at a time would otherwise keep
    // the customer's discovery, and every sign-in waiting on it, pending for ever.
    return bounded(keySet)
        .recover(e -> Future.failedFuture(new SsoException(SsoRefusal.PROVIDER_UNAVAILABLE,
            "the key set at " + keySet + " could not be read: " + IdTokenCheck.printable(e.getMessage()))));
  }

  static boolean usableKeys(String keySet) {
    JWT jwt = new JWT();
    try {
      for (Object key : new JsonObject(keySet).getJsonArray("keys")) {
        try {
          jwt.addJWK(new JWK((JsonObject) key));
        } catch (RuntimeException e) {
          // Skipped, as the library skips it.
        }
      }
    } catch (RuntimeException e) {
      return false;
    }
    return !jwt.isUnsecure();
  }

  private static boolean secure(String endpoint) {
    try {
      return endpoint != null && SsoSettings.secureOrLocal(new URI(endpoint));
    } catch (java.net.URISyntaxException e) {
      return false;
    }
  }

  /**
   * Closes a replaced provider once sign-ins that took it before the replacement are done with
   * it: a closed provider can no longer check the tokens of a code exchange in flight.
   */
  private void closeLater(Provider provider) {
    vertx.setTimer(2 * settings.tokenTimeout().toMillis() + 1000, id -> close(provider.auth()));
  }

  /** Releases what the library registered for a provider no longer used (its close hook). */
  private static void close(OAuth2Auth auth) {
    if (auth instanceof io.vertx.core.Closeable closeable) {
      closeable.close(Promise.promise());
    }
  }

  /** Closes every provider; for shutdown. */
  void closeAll() {
    entries.values().forEach(e -> e.provider().onSuccess(p -> close(p.auth())));
    entries.clear();
  }

  /**
   * The cache is shared by every event loop, and a future's callbacks run where it was completed;
   * hop back so the caller's request is answered on its own event loop.
   */
  static <T> Future<T> onCallerContext(Future<T> future) {
    io.vertx.core.Context context = Vertx.currentContext();
    if (context == null) {
      return future;
    }
    Promise<T> promise = Promise.promise();
    future.onComplete(ar -> context.runOnContext(v -> promise.handle(ar)));
    return promise.future();
  }
}
