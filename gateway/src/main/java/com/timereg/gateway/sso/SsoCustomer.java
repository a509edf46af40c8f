package com.timereg.gateway.sso;

import com.timereg.gateway.login.SsoMode;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

/**
 * A customer's Microsoft sign-in settings, from the {@code customers} row.
 *
 * @param tenantId the directory (tenant) id: fills the authority template and must equal the
 *     ID token's {@code tid}; null when not set up
 * @param clientId the gateway's application (client) id in that tenant; null when not set up
 * @param secretReference {@code env:NAME} or {@code file:PATH} of the client secret; null for a
 *     public client (PKCE only)
 * @param allowedEmailDomains lower-case domains whose verified addresses may link or create accounts
 */
public record SsoCustomer(
    long id, String slug, SsoMode mode, String tenantId, String clientId, String secretReference,
    List<String> allowedEmailDomains, boolean autoCreate) {

  /** A directory id in GUID form, either case. */
  private static final java.util.regex.Pattern GUID =
      java.util.regex.Pattern.compile("[0-9A-Fa-f]{8}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{12}");

  public SsoCustomer {
    // Entra names its issuer with the tenant GUID in lower case whatever case the authority URL had, so a GUID
    // typed in upper case (as some tools show it) made discovery fail with "names another issuer": lower-cased here.
    if (tenantId != null && GUID.matcher(tenantId).matches()) {
      tenantId = tenantId.toLowerCase(Locale.ROOT);
    }
    allowedEmailDomains = allowedEmailDomains.stream().map(d -> d.toLowerCase(Locale.ROOT)).toList();
  }

  /** Users of this customer may sign in with Microsoft (whether or not they also may with a password). */
  public boolean usesSso() {
    return mode != SsoMode.DISABLED;
  }

  /** Tenant and client id are there; without them a Microsoft sign-in cannot start. */
  public boolean configured() {
    return tenantId != null && clientId != null;
  }

  public Optional<String> secret() {
    return Optional.ofNullable(secretReference);
  }

  /** Whether the domain of {@code email} is one of this customer's. */
  public boolean allowsDomainOf(String email) {
    int at = email.lastIndexOf('@');
    return at > 0 && allowedEmailDomains.contains(email.substring(at + 1).toLowerCase(Locale.ROOT));
  }

  @Override
  public String toString() {
    return "SsoCustomer[" + slug + ", " + mode + ", tenant=" + tenantId + "]";
  }
}
