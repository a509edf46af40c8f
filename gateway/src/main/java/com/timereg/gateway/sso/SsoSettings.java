package com.timereg.gateway.sso;

import java.net.URI;
import java.net.URISyntaxException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

/**
 * Gateway-wide settings of Microsoft sign-in; what differs per customer (tenant, client id,
 * secret reference, domains) is in the {@code customers} table. {@link #DEFAULTS} holds the defaults.
 *
 * @param authorityTemplate the provider's issuer with {@value #TENANT_PLACEHOLDER} for the
 *     customer's tenant ({@value #DEFAULT_AUTHORITY_TEMPLATE}); the endpoints and keys come from
 *     its discovery document. https, or http to a loopback host for a provider on this machine
 * @param publicBaseUrl the gateway's address as browsers see it (e.g. https://login.example.com);
 *     the redirect URI registered with the provider is this plus {@value #CALLBACK_PATH}. Needed
 *     as soon as any customer uses Microsoft sign-in
 * @param devMode without {@code publicBaseUrl}, use https://localhost:&lt;public port&gt; (dev mode only)
 * @param discoveryTimeout how long fetching a provider's discovery document and keys may take (5 s)
 * @param tokenTimeout how long exchanging the authorization code may take (10 s)
 * @param requestLifetime how long a started sign-in may take at the provider before its callback
 *     is refused (10 min)
 * @param clockSkew tolerance when comparing the ID token's exp, nbf and iat with our clock (2 min)
 * @param providerRefresh a provider's discovery document and keys are fetched again after this
 *     long (24 h), and the client secret read again, so rotations need no restart
 * @param maxStartsPerAddressPerMinute sign-ins one client address (IPv4 address, IPv6 /64) may start a minute on
 *     a node (300): each is a row in {@code sso_requests} for {@code requestLifetime}. Generous, for an office
 *     behind one address at 9:00
 * @param maxPendingSignIns pending sign-ins ({@code sso_requests} rows) the gateway holds at most, from all
 *     addresses together (1,000,000): beyond it new starts are refused with 503 until expired ones are deleted. The
 *     per-address limit does not bound many addresses (a botnet, an IPv6 network's many /64s)
 */
public record SsoSettings(
    String authorityTemplate,
    Optional<URI> publicBaseUrl,
    boolean devMode,
    Duration discoveryTimeout,
    Duration tokenTimeout,
    Duration requestLifetime,
    Duration clockSkew,
    Duration providerRefresh,
    int maxStartsPerAddressPerMinute,
    int maxPendingSignIns) {

  public static final String TENANT_PLACEHOLDER = "{tenant}";
  public static final String CALLBACK_PATH = "/sso/callback";
  public static final String DEFAULT_AUTHORITY_TEMPLATE = "https://login.microsoftonline.com/{tenant}/v2.0";
  public static final Duration DEFAULT_DISCOVERY_TIMEOUT = Duration.ofSeconds(5);
  public static final Duration DEFAULT_TOKEN_TIMEOUT = Duration.ofSeconds(10);
  public static final Duration DEFAULT_REQUEST_LIFETIME = Duration.ofMinutes(10);
  public static final Duration DEFAULT_CLOCK_SKEW = Duration.ofMinutes(2);
  public static final Duration DEFAULT_PROVIDER_REFRESH = Duration.ofHours(24);
  public static final int DEFAULT_MAX_STARTS_PER_ADDRESS_PER_MINUTE = 300;
  /**
   * Far above any real morning and high enough that filling it (which holds up everyone's Microsoft sign-in) takes
   * some 334 client addresses at the per-address allowance; a row is about 300 bytes, so 300 MB of table.
   */
  public static final int DEFAULT_MAX_PENDING_SIGN_INS = 1_000_000;

  public static final SsoSettings DEFAULTS = new SsoSettings(DEFAULT_AUTHORITY_TEMPLATE, Optional.empty(), false,
      DEFAULT_DISCOVERY_TIMEOUT, DEFAULT_TOKEN_TIMEOUT, DEFAULT_REQUEST_LIFETIME, DEFAULT_CLOCK_SKEW,
      DEFAULT_PROVIDER_REFRESH, DEFAULT_MAX_STARTS_PER_ADDRESS_PER_MINUTE, DEFAULT_MAX_PENDING_SIGN_INS);

  /** With the default {@link #maxPendingSignIns()}. */
  public SsoSettings(String authorityTemplate, Optional<URI> publicBaseUrl, boolean devMode, Duration discoveryTimeout,
      Duration tokenTimeout, Duration requestLifetime, Duration clockSkew, Duration providerRefresh,
      int maxStartsPerAddressPerMinute) {
    this(authorityTemplate, publicBaseUrl, devMode, discoveryTimeout, tokenTimeout, requestLifetime, clockSkew,
        providerRefresh, maxStartsPerAddressPerMinute, DEFAULT_MAX_PENDING_SIGN_INS);
  }

  /** Every problem with these settings, empty when valid. */
  public List<String> problems() {
    List<String> out = new ArrayList<>();
    if (!authorityTemplate.contains(TENANT_PLACEHOLDER)) {
      out.add("authority-template must contain " + TENANT_PLACEHOLDER);
    }
    URI authority = parse(authorityTemplate.replace(TENANT_PLACEHOLDER, "tenant"));
    if (authority == null || authority.getHost() == null) {
      out.add("authority-template must be an absolute URL, got '" + withoutUserInfo(authorityTemplate) + "'");
    } else if (authority.getRawUserInfo() != null || authority.getRawQuery() != null
        || authority.getRawFragment() != null) {
      // No issuer has them, so no token would ever match; and user info (a password?) would stand in the
      // effective configuration logged at start. Not echoed.
      out.add("authority-template must be the provider's issuer, https://host[:port]/path with " + TENANT_PLACEHOLDER
          + ", without user info, a query or a fragment");
    } else if (!secureOrLocal(authority)) {
      // Tokens and the client secret travel to this address: plain HTTP only where nobody can listen.
      out.add("authority-template must use https (http only to a loopback host), got '"
          + withoutUserInfo(authorityTemplate) + "'");
    }
    publicBaseUrl.ifPresent(u -> {
      // User info too: it would stand in every redirect URI sent to the provider, and the start-up log line.
      if (!"https".equals(u.getScheme()) || u.getHost() == null || (u.getPath() != null && !u.getPath().isEmpty())
          || u.getQuery() != null || u.getFragment() != null || u.getRawUserInfo() != null) {
        out.add("public-base-url must be https://host[:port] without user info or a path, got '"
            + withoutUserInfo(u.toString()) + "'");
      }
    });
    positive(out, "discovery-timeout", discoveryTimeout);
    positive(out, "token-timeout", tokenTimeout);
    positive(out, "request-lifetime", requestLifetime);
    positive(out, "provider-refresh", providerRefresh);
    if (maxStartsPerAddressPerMinute < 1) {
      out.add("max-starts-per-address-per-minute must be positive");
    }
    if (maxPendingSignIns < 1) {
      out.add("max-pending-sign-ins must be positive");
    }
    if (clockSkew.isNegative()) {
      out.add("clock-skew must not be negative");
    }
    return out;
  }

  private static String withoutUserInfo(String url) {
    return url.replaceAll("(?<=//)[^/?#]*@", "...@");
  }

  /** The provider's issuer for a tenant. */
  public String authorityFor(String tenant) {
    return authorityTemplate.replace(TENANT_PLACEHOLDER, tenant);
  }

  /**
   * The provider's origin ({@code https://login.microsoftonline.com}), where sign-ins are sent to
   * authorize: the login form must be allowed to go there ({@code form-action}). Null when the
   * template is not a valid URL (then {@link #problems()} says so).
   */
  public String authorityOrigin() {
    URI authority = parse(authorityTemplate.replace(TENANT_PLACEHOLDER, "tenant"));
    if (authority == null || authority.getHost() == null) {
      return null;
    }
    // Host and port only: a user-info part is no part of an origin.
    return authority.getScheme().toLowerCase(Locale.ROOT) + "://" + authority.getHost().toLowerCase(Locale.ROOT)
        + (authority.getPort() < 0 ? "" : ":" + authority.getPort());
  }

  static boolean secureOrLocal(URI uri) {
    String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(Locale.ROOT);
    if (scheme.equals("https")) {
      return true;
    }
    String host = uri.getHost() == null ? "" : uri.getHost().toLowerCase(Locale.ROOT);
    return scheme.equals("http")
        && (host.equals("localhost") || host.startsWith("127.") || host.equals("[::1]") || host.equals("::1"));
  }

  private static URI parse(String s) {
    try {
      URI u = new URI(s);
      return u.isAbsolute() ? u : null;
    } catch (URISyntaxException e) {
      return null;
    }
  }

  private static void positive(List<String> out, String name, Duration d) {
    if (d.isZero() || d.isNegative()) {
      out.add(name + " must be positive");
    }
  }
}
