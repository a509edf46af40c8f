package com.timereg.gateway.sso;

/**
 * Who the provider says signed in, after every check of the ID token passed.
 *
 * @param subject the stable identifier: Entra's {@code oid}, else {@code sub}
 * @param email the address from {@code email}, else from {@code preferred_username} when that is
 *     an address; null when neither is
 * @param emailVerified false when the provider says the address is not verified ({@code
 *     email_verified} or Entra's {@code xms_edov} false); true when it says nothing (see docs/sso.md)
 */
public record VerifiedIdentity(String subject, String tenant, String email, boolean emailVerified) {}
