package com.timereg.gateway.proxy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.UnpooledByteBufAllocator;
import io.netty.handler.codec.http.DefaultHttpHeaders;
import io.netty.handler.codec.http.DefaultHttpHeadersFactory;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.util.AsciiString;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/** The bytes of a relayed answer's head and chunk framing (the wire-level comparison is DirectRelayEndToEndTest's). */
class ResponseHeadsTest {
  private static final UnpooledByteBufAllocator ALLOC = new UnpooledByteBufAllocator(false);
  private final ResponseHeads heads = new ResponseHeads("__Host-gw-");

  @Test
  void keepsWhatTheClientMaySeeAndAddsTheGatewaysHeadersAfterIt() {
    HttpHeaders in = headers()
        .add(AsciiString.of("Content-Type"), "text/plain")
        .add(AsciiString.of("Connection"), "keep-alive, X-Internal")
        .add(AsciiString.of("X-Internal"), "secret")
        .add(AsciiString.of("Keep-Alive"), "timeout=5")
        .add(AsciiString.of("Proxy-Authenticate"), "Basic")
        .add(AsciiString.of("Set-Cookie"), "__host-GW-session=evil")
        .add(AsciiString.of("Set-Cookie"), "theme=dark")
        .add(AsciiString.of("STRICT-transport-security"), "max-age=1")
        .add(AsciiString.of("Content-Length"), "5")
        .add(AsciiString.of("X-Odd"), "caf\u00e9");

    assertThat(text(heads.head(ALLOC, 200, in, "5", false, "max-age=63072000", true))).isEqualTo(
        "HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nSet-Cookie: theme=dark\r\nX-Odd: caf\u00e9\r\n"
        + "content-length: 5\r\nStrict-Transport-Security: max-age=63072000\r\nconnection: close\r\n\r\n");
    assertThat(text(heads.head(ALLOC, 200, headers().add(AsciiString.of("Strict-Transport-Security"), "max-age=1"),
        null, true, null, false)))
        .as("without the gateway's own, the backend's passes")
        .isEqualTo("HTTP/1.1 200 OK\r\nStrict-Transport-Security: max-age=1\r\ntransfer-encoding: chunked\r\n\r\n");
  }

  @Test
  void theStatusLineCarriesTheStandardReasonWhateverTheBackendWrote() {
    assertThat(text(heads.head(ALLOC, 404, headers(), "0", false, null, false)))
        .isEqualTo("HTTP/1.1 404 Not Found\r\ncontent-length: 0\r\n\r\n");
    assertThat(text(heads.head(ALLOC, 299, headers(), "0", false, null, false))).startsWith("HTTP/1.1 299 ");
    assertThat(text(heads.head(ALLOC, 799, headers(), "0", false, null, false))).startsWith("HTTP/1.1 799 ");
  }

  @Test
  void aHeadLargerThanTheScratchSpaceIsWrittenWhole() {
    HttpHeaders in = headers();
    for (int i = 0; i < 200; i++) {
      in.add(AsciiString.of("X-Header-" + i), "value-" + "v".repeat(i));
    }
    String head = text(heads.head(ALLOC, 200, in, "0", false, null, false));
    assertThat(head).startsWith("HTTP/1.1 200 OK\r\nX-Header-0: value-\r\n")
        .contains("\r\nX-Header-199: value-" + "v".repeat(199) + "\r\n").endsWith("\r\ncontent-length: 0\r\n\r\n");
    assertThat(text(heads.head(ALLOC, 204, headers(), null, false, null, false)))
        .as("the grown space is reused from the start").isEqualTo("HTTP/1.1 204 No Content\r\n\r\n");
  }

  @Test
  void aValueThatCouldBreakTheHeadIsRefusedNotWritten() {
    for (String bad : new String[] {"a\rb", "a\nb", "a\u0000b", "a\u0100b"}) {
      HttpHeaders in = new DefaultHttpHeaders(false).add("X-Bad", bad);
      assertThatThrownBy(() -> heads.head(ALLOC, 200, in, "0", false, null, false)).as(bad)
          .isInstanceOf(IllegalArgumentException.class);
    }
    HttpHeaders badName = new DefaultHttpHeaders(false).add(AsciiString.of("X-Bad\r\nX-Evil"), "1");
    assertThatThrownBy(() -> heads.head(ALLOC, 200, badName, "0", false, null, false))
        .isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void chunksAreFramedAsTheEncoderFramesThem() {
    assertThat(text(ResponseHeads.chunkSize(ALLOC, 0x1f40))).isEqualTo("1f40\r\n");
    assertThat(text(ResponseHeads.chunkEnd())).isEqualTo("\r\n");
    assertThat(text(ResponseHeads.lastChunk())).isEqualTo("0\r\n\r\n");
    assertThat(text(ResponseHeads.lastChunk())).as("the shared buffer is not used up").isEqualTo("0\r\n\r\n");
  }

  private static HttpHeaders headers() {
    return DefaultHttpHeadersFactory.headersFactory().newHeaders();
  }

  private static String text(ByteBuf buf) {
    try {
      return buf.toString(StandardCharsets.ISO_8859_1);
    } finally {
      buf.release();
    }
  }
}
