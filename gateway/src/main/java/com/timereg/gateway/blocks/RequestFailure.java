package com.timereg.gateway.blocks;

/** Why an edit or a query of the shared block lists failed, with the HTTP status to answer. */
public enum RequestFailure {
  /** The request itself is wrong (address, range, duration, reason); repeating it will not help. */
  INVALID(400, "invalid"),
  /** The thing to change does not exist, e.g. removing a range that is not allowlisted. */
  NOT_FOUND(404, "not-found"),
  /** Another edit of the same entry won a race; repeating the request will do. */
  CONFLICT(409, "conflict"),
  /** PostgreSQL could not be reached or failed; answer with Retry-After. Nothing was changed. */
  UNAVAILABLE(503, "unavailable");

  private final int httpStatus;
  private final String metricTag;

  RequestFailure(int httpStatus, String metricTag) {
    this.httpStatus = httpStatus;
    this.metricTag = metricTag;
  }

  public int httpStatus() {
    return httpStatus;
  }

  public String metricTag() {
    return metricTag;
  }
}
