package com.timereg.gateway.proxy;

import io.vertx.core.buffer.Buffer;

/**
 * Follows the WebSocket frames (RFC 6455 5.2) in the bytes one side sends through a tunnel (the backend's,
 * unmasked, or the client's, masked), only to know whether the stream is between two frames, and whether a
 * close frame has gone by: between two frames, and before any close frame, the gateway may add a close frame of
 * its own towards the other side. Reads each frame's header (2 to 14 bytes) and skips its payload; never holds
 * any bytes of the stream.
 */
final class TunnelFrames {
  private static final int OPCODE_CLOSE = 0x8;
  /** Bytes of the current header seen so far, and how many it has in all (known from its second byte). */
  private final byte[] header = new byte[14];
  private int headerSeen;
  private int headerLength = 2;
  private long payloadLeft;
  private long bytesSeen;
  private boolean closeSeen;

  void feed(Buffer data) {
    int i = 0;
    int n = data.length();
    bytesSeen += n;
    while (i < n) {
      if (payloadLeft > 0) {
        long skip = Math.min(payloadLeft, n - i);
        payloadLeft -= skip;
        i += (int) skip;
        continue;
      }
      header[headerSeen++] = data.getByte(i++);
      if (headerSeen == 2) {
        int length7 = header[1] & 0x7F;
        headerLength = 2 + (length7 == 126 ? 2 : length7 == 127 ? 8 : 0) + ((header[1] & 0x80) != 0 ? 4 : 0);
      }
      if (headerSeen == headerLength) {
        closeSeen |= (header[0] & 0x0F) == OPCODE_CLOSE;
        payloadLeft = payloadLength();
        headerSeen = 0;
        headerLength = 2;
      }
    }
  }

  /** True when the bytes fed so far end exactly after a frame (or none came). */
  boolean betweenFrames() {
    return headerSeen == 0 && payloadLeft == 0;
  }

  /**
   * True once a close frame has begun in the bytes fed so far: the stream has said its last word (RFC 6455
   * 5.5.1, nothing may follow a close frame), and a close frame of the gateway's own would be a second one.
   */
  boolean closeSeen() {
    return closeSeen;
  }

  /** All the bytes fed so far: what one side sent through the tunnel. */
  long bytesSeen() {
    return bytesSeen;
  }

  private long payloadLength() {
    int length7 = header[1] & 0x7F;
    if (length7 < 126) {
      return length7;
    }
    int bytes = length7 == 126 ? 2 : 8;
    long length = 0;
    for (int k = 0; k < bytes; k++) {
      length = (length << 8) | (header[2 + k] & 0xFF);
    }
    // A length with its top bit set is invalid (RFC 6455 5.2); the stream can no longer be followed.
    return length < 0 ? Long.MAX_VALUE : length;
  }
}
