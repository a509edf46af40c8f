package com.timereg.gateway.sso;

/** An account as Microsoft sign-in needs it. */
public record SsoUser(long id, String loginName, String email, boolean active, String ssoSubject) {}
