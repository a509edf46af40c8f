package com.timereg.gateway.accesslog;

/**
 * How much of a request path a plain log line may name. The access log, which staff opt into, keeps the path
 * whole; the application log's WARN and ERROR lines name only its first segment, since deeper segments may carry
 * personal data or a token ({@code /reset/<uid>/<token>/}, Django's password-reset links; {@code
 * /api/users/<email>}).
 */
public final class LoggedPath {
  private LoggedPath() {}

  /** The path's first segment, the rest as {@code /...}; {@code /} for none. */
  public static String firstSegment(String path) {
    if (path == null || path.isEmpty()) {
      return "/";
    }
    int next = path.indexOf('/', 1);
    return next < 0 ? path : path.substring(0, next) + "/...";
  }
}
