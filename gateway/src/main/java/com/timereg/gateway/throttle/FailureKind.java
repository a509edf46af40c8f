package com.timereg.gateway.throttle;

/**
 * Why a login was invalid. Every kind counts the same towards blocks: telling them apart would
 * tell an attacker which names exist. The tag goes to metrics only.
 */
public enum FailureKind {
  WRONG_PASSWORD("wrong_password"),
  UNKNOWN_USER("unknown_user"),
  INACTIVE_USER("inactive_user"),
  MALFORMED_CREDENTIALS("malformed_credentials"),
  SSO_REQUIRED("sso_required"),
  /** A Microsoft sign-in callback that only a forged, replayed or stolen response produces (bad state, token checks). */
  SSO_REJECTED("sso_rejected");

  private final String metricTag;

  FailureKind(String metricTag) {
    this.metricTag = metricTag;
  }

  public String metricTag() {
    return metricTag;
  }
}
