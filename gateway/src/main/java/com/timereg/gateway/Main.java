package com.timereg.gateway;

/** Entry point; the composition root arrives with the foundation. */
public final class Main {
  private Main() {}

  public static void main(String[] args) {
    throw new UnsupportedOperationException("not yet assembled");
  }
}
