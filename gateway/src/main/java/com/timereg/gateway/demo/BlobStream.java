package com.timereg.gateway.demo;

import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpServerResponse;

/**
 * Writes a generated body of any size with back-pressure, never holding more than one chunk. Byte {@code i}
 * of every body is {@code i % 251}, so a receiver can check a body's integrity without a copy of it.
 */
final class BlobStream {

  static final int MODULUS = 251;
  /** A multiple of the modulus, so every chunk is the same bytes. */
  private static final int CHUNK = MODULUS * 256;
  private static final Buffer PATTERN = pattern();

  private BlobStream() {}

  static void send(HttpServerResponse response, long size) {
    response.putHeader(HttpHeaders.CONTENT_TYPE, "application/octet-stream")
        .putHeader(HttpHeaders.CONTENT_LENGTH, Long.toString(size));
    new Writer(response, size).run();
  }

  /** Whether {@code data}, found at {@code offset} of a body, has the expected bytes. */
  static boolean matches(Buffer data, long offset) {
    for (int i = 0; i < data.length(); i++) {
      if ((data.getByte(i) & 0xff) != (offset + i) % MODULUS) {
        return false;
      }
    }
    return true;
  }

  private static Buffer pattern() {
    byte[] bytes = new byte[CHUNK];
    for (int i = 0; i < CHUNK; i++) {
      bytes[i] = (byte) (i % MODULUS);
    }
    return Buffer.buffer(bytes);
  }

  private static final class Writer implements Runnable {
    private final HttpServerResponse response;
    private long remaining;

    Writer(HttpServerResponse response, long size) {
      this.response = response;
      this.remaining = size;
    }

    @Override
    public void run() {
      if (response.closed()) {
        return;
      }
      while (remaining > 0 && !response.writeQueueFull()) {
        int n = (int) Math.min(CHUNK, remaining);
        remaining -= n;
        response.write(n == CHUNK ? PATTERN : PATTERN.slice(0, n));
      }
      if (remaining == 0) {
        response.end();
      } else {
        response.drainHandler(drained -> run());
      }
    }
  }
}
