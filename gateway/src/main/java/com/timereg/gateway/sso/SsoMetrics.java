package com.timereg.gateway.sso;

/** Microsoft sign-ins by outcome; the Micrometer implementation sits beside it. */
public interface SsoMetrics {
  /** Outcome of a successful sign-in. */
  String SUCCESS = "success";

  /** One finished sign-in: {@link #SUCCESS} or a {@link SsoRefusal#tag()}. */
  void login(String outcome);

  SsoMetrics NONE = outcome -> {};
}
