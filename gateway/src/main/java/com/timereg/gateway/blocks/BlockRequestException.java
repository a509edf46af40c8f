package com.timereg.gateway.blocks;

/**
 * A failed edit or query of the shared block lists. The message is safe to show to the
 * administrator as is: it names the problem in their terms and never carries SQL, stack traces
 * or connection details (those go to the log).
 */
public final class BlockRequestException extends RuntimeException {
  private final RequestFailure failure;

  public BlockRequestException(RequestFailure failure, String message) {
    super(message, null, false, false);
    this.failure = failure;
  }

  static BlockRequestException invalid(String message) {
    return new BlockRequestException(RequestFailure.INVALID, message);
  }

  public RequestFailure failure() {
    return failure;
  }

  public int httpStatus() {
    return failure.httpStatus();
  }
}
