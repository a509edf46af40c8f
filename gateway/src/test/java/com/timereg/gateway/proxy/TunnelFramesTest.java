package com.timereg.gateway.proxy;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.buffer.Buffer;
import org.junit.jupiter.api.Test;

/** The frame boundaries a tunnel follows, so that the gateway's close frame never lands inside a frame. */
class TunnelFramesTest {

  private static Buffer frame(int payload, boolean masked) {
    Buffer b = Buffer.buffer().appendByte((byte) 0x82);
    int mask = masked ? 0x80 : 0;
    if (payload < 126) {
      b.appendByte((byte) (mask | payload));
    } else if (payload < 65_536) {
      b.appendByte((byte) (mask | 126)).appendUnsignedShort(payload);
    } else {
      b.appendByte((byte) (mask | 127)).appendLong(payload);
    }
    if (masked) {
      b.appendInt(0x01020304);
    }
    return b.appendBytes(new byte[payload]);
  }

  @Test
  void knowsItIsBetweenFramesOnlyAfterAWholeFrameOfEveryLengthForm() {
    for (int payload : new int[] {0, 5, 125, 126, 300, 65_535, 70_000}) {
      for (boolean masked : new boolean[] {false, true}) {
        Buffer bytes = frame(payload, masked).appendBuffer(frame(3, false));
        TunnelFrames frames = new TunnelFrames();
        assertThat(frames.betweenFrames()).isTrue();
        int firstEnds = bytes.length() - frame(3, false).length();
        // One byte at a time: headers and payloads split anywhere.
        for (int i = 0; i < bytes.length(); i++) {
          frames.feed(bytes.getBuffer(i, i + 1));
          boolean boundary = i + 1 == firstEnds || i + 1 == bytes.length();
          if (payload > 1_000 && !boundary) {
            continue;
          }
          assertThat(frames.betweenFrames()).as("payload %d masked %s after %d bytes", payload, masked, i + 1)
              .isEqualTo(boundary);
        }
      }
    }
  }

  @Test
  void aFrameSplitOverReadsIsFollowedAcrossThem() {
    Buffer bytes = frame(200, false);
    TunnelFrames frames = new TunnelFrames();
    frames.feed(bytes.getBuffer(0, 3));
    assertThat(frames.betweenFrames()).isFalse();
    frames.feed(bytes.getBuffer(3, bytes.length()));
    assertThat(frames.betweenFrames()).isTrue();
  }

  @Test
  void seesAClosingFrameOnlyOnceItsHeaderHasCome() {
    TunnelFrames frames = new TunnelFrames();
    frames.feed(frame(10, false));
    frames.feed(Buffer.buffer(new byte[] {(byte) 0x89, 0x00}));
    assertThat(frames.closeSeen()).as("after a binary frame and a ping").isFalse();
    frames.feed(Buffer.buffer(new byte[] {(byte) 0x88}));
    assertThat(frames.closeSeen()).as("after the close frame's first byte").isFalse();
    frames.feed(Buffer.buffer(new byte[] {0x02, 0x03, (byte) 0xE8}));
    assertThat(frames.closeSeen()).isTrue();
    assertThat(frames.betweenFrames()).isTrue();
  }

  @Test
  void seesAClientsMaskedCloseFrame() {
    TunnelFrames frames = new TunnelFrames();
    frames.feed(frame(200, true));
    assertThat(frames.closeSeen()).isFalse();
    frames.feed(WebSocketTunnel.closeFrame(1001, true));
    assertThat(frames.closeSeen()).isTrue();
    assertThat(frames.betweenFrames()).as("after the masked close frame's 2-byte payload").isTrue();
  }
}
