package com.timereg.gateway.sso;

import io.vertx.core.Future;
import java.util.List;
import java.util.Locale;

/**
 * Finds the account a verified identity signs in to, within the customer whose tenant issued it.
 * The provider's stable subject is the link; an e-mail address only makes the first link, and only
 * when the provider vouches for it and its domain is one of the customer's. An account is created
 * only where the customer asked for that.
 */
final class AccountMatcher {
  /** The account, and whether this sign-in linked or created it. */
  record Match(SsoUser user, boolean linked, boolean created) {}

  private final SsoDirectory directory;

  AccountMatcher(SsoDirectory directory) {
    this.directory = directory;
  }

  /** Fails with {@link SsoException} when no account may be used. */
  Future<Match> match(SsoCustomer customer, VerifiedIdentity identity) {
    return directory.userBySubject(customer.id(), identity.subject()).compose(linked -> linked.isPresent()
        ? active(new Match(linked.get(), false, false))
        : firstSignIn(customer, identity));
  }

  private Future<Match> firstSignIn(SsoCustomer customer, VerifiedIdentity identity) {
    String email = identity.email();
    if (email == null) {
      return refuse(SsoRefusal.NO_ACCOUNT, "not linked, and the token carries no e-mail address");
    }
    if (!customer.allowsDomainOf(email)) {
      return refuse(SsoRefusal.DOMAIN_NOT_ALLOWED, "not linked, and " + domainOf(email) + " is not among "
          + customer.allowedEmailDomains());
    }
    if (!identity.emailVerified()) {
      return refuse(SsoRefusal.EMAIL_NOT_VERIFIED, "not linked, and the provider says " + email + " is not verified");
    }
    return directory.usersByEmail(customer.id(), email).compose(found -> byEmail(customer, identity, found));
  }

  private Future<Match> byEmail(SsoCustomer customer, VerifiedIdentity identity, List<SsoUser> found) {
    if (found.size() > 1) {
      return refuse(SsoRefusal.ACCOUNT_CONFLICT, "several accounts have the address " + identity.email());
    }
    if (found.size() == 1) {
      SsoUser user = found.get(0);
      if (user.ssoSubject() != null) {
        // Linked to another identity: the address moved to someone else, or two people share it.
        return refuse(SsoRefusal.ACCOUNT_CONFLICT, "account " + user.id() + " is linked to another identity");
      }
      if (!user.active()) {
        return refuse(SsoRefusal.INACTIVE, "account " + user.id() + " is inactive");
      }
      return directory.linkSubject(user.id(), identity.subject()).compose(done -> done
          ? Future.succeededFuture(new Match(
              new SsoUser(user.id(), user.loginName(), user.email(), true, identity.subject()), true, false))
          : refuse(SsoRefusal.ACCOUNT_CONFLICT, "account " + user.id() + " was linked by another sign-in meanwhile"));
    }
    if (!customer.autoCreate()) {
      return refuse(SsoRefusal.NO_ACCOUNT, "no account has the address " + identity.email());
    }
    String loginName = identity.email().toLowerCase(Locale.ROOT);
    return directory.createUser(customer.id(), loginName, identity.subject()).compose(created -> created.isPresent()
        ? Future.succeededFuture(new Match(created.get(), false, true))
        : refuse(SsoRefusal.ACCOUNT_CONFLICT, "the login name " + loginName + " is taken"));
  }

  private static Future<Match> active(Match m) {
    return m.user().active() ? Future.succeededFuture(m) : refuse(SsoRefusal.INACTIVE, "account " + m.user().id() + " is inactive");
  }

  private static Future<Match> refuse(SsoRefusal refusal, String detail) {
    return Future.failedFuture(new SsoException(refusal, detail));
  }

  private static String domainOf(String email) {
    return email.substring(email.lastIndexOf('@') + 1).toLowerCase(Locale.ROOT);
  }
}
