package com.timereg.gateway.sso;

/** A sign-in step that cannot go on, and why; the message is for the log and names no secret or token. */
final class SsoException extends RuntimeException {
  private static final long serialVersionUID = 1L;
  private final transient SsoRefusal refusal;

  SsoException(SsoRefusal refusal, String detail) {
    // No stack trace: these are expected outcomes reported on the request path, not bugs.
    super(detail, null, false, false);
    this.refusal = refusal;
  }

  SsoRefusal refusal() {
    return refusal;
  }
}
