package com.timereg.gateway.proxy;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelOutboundHandlerAdapter;
import io.netty.channel.ChannelPromise;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpDecoderConfig;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpMessage;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpResponseDecoder;
import io.netty.handler.codec.http.HttpStatusClass;
import io.netty.util.AsciiString;
import io.netty.util.ReferenceCountUtil;
import java.nio.charset.StandardCharsets;
import java.util.Iterator;
import java.util.Map;

/**
 * HTTP/1.1 on a direct-path connection to the backend, in place of Netty's {@code HttpClientCodec}: responses
 * are parsed by Netty's decoder; request heads are written as the bytes they were read as.
 *
 * <p>Why not Netty's encoder: it writes every header name and value one byte at a time through the buffer's
 * bounds-checked setter, about 3% of a relayed request's CPU (docs/benchmarks.md). Here each one is a single
 * array copy: every character of a decoded request is one octet (ISO-8859-1, as Netty's decoder reads a head),
 * the target has been made ASCII ({@link Exchange#asciiTarget}), and the gateway's own values are ASCII. A
 * character that could break the head (CR, LF, NUL, or above U+00FF) is refused, not written.
 *
 * <p>The direct path sends only requests of known length ({@code Content-Length} or none; never a transfer
 * coding, never an upgrade or CONNECT) and one at a time on a connection, so a body is its bytes, and the
 * decoder needs to know only whether the answer it is reading is to a HEAD request (no body whatever the
 * headers say). Informational answers (1xx) do not end that: the final answer after them is still the HEAD's.
 */
final class BackendCodec {

  private static final byte[] HTTP_1_1_CRLF = " HTTP/1.1\r\n".getBytes(StandardCharsets.US_ASCII);

  /** The request whose answer is being read (or awaited) is a HEAD. */
  private boolean head;
  private final Decoder decoder;
  private final Encoder encoder = new Encoder();

  /** With Netty's limits as for the client codec: initial line, all headers together, chunk size. */
  BackendCodec(int maxInitialLineLength, int maxHeaderSize, int maxChunkSize) {
    this.decoder = new Decoder(new HttpDecoderConfig()
        .setMaxInitialLineLength(maxInitialLineLength)
        .setMaxHeaderSize(maxHeaderSize)
        .setMaxChunkSize(maxChunkSize));
  }

  HttpResponseDecoder decoder() {
    return decoder;
  }

  /**
   * Whether bytes the backend sent are still waiting to be decoded: called when an answer has just ended, they
   * came after it in the same read, so they answer nothing that was asked (a connection with such bytes is never
   * reused: they would be taken for the answer to its next request).
   */
  boolean unreadBytes() {
    return decoder.unread() > 0;
  }

  ChannelOutboundHandlerAdapter encoder() {
    return encoder;
  }

  private final class Decoder extends HttpResponseDecoder {
    Decoder(HttpDecoderConfig config) {
      super(config);
    }

    int unread() {
      return actualReadableBytes();
    }

    @Override
    protected boolean isContentAlwaysEmpty(HttpMessage msg) {
      if (msg instanceof HttpResponse response && response.status().codeClass() != HttpStatusClass.INFORMATIONAL
          && head) {
        return true;
      }
      return super.isContentAlwaysEmpty(msg);
    }
  }

  private final class Encoder extends ChannelOutboundHandlerAdapter {
    /** Scratch space for one head, kept for the connection's next request. */
    private byte[] scratch = new byte[1024];

    @Override
    public void write(ChannelHandlerContext ctx, Object msg, ChannelPromise promise) {
      if (msg instanceof HttpRequest request) {
        head = request.method().equals(HttpMethod.HEAD);
        ByteBuf bytes;
        try {
          bytes = encodeHead(ctx, request);
        } catch (IllegalArgumentException e) {
          // Nothing of it was written: the connection's user fails the exchange, and the connection closes.
          ReferenceCountUtil.release(msg);
          promise.tryFailure(e);
          ctx.fireExceptionCaught(e);
          return;
        }
        if (msg instanceof HttpContent content) {
          ctx.write(bytes, ctx.voidPromise());
          ctx.write(body(content), promise);
        } else {
          ctx.write(bytes, promise);
        }
      } else if (msg instanceof HttpContent content) {
        ctx.write(body(content), promise);
      } else {
        ctx.write(msg, promise);
      }
    }

    /**
     * A body of known length is its bytes. (Trailers belong to chunked bodies, which never take this path;
     * like Netty's encoder for a body of known length, this would drop them.)
     */
    private ByteBuf body(HttpContent content) {
      return content.content();
    }

    private ByteBuf encodeHead(ChannelHandlerContext ctx, HttpRequest request) {
      String method = request.method().name();
      String uri = request.uri().isEmpty() ? "/" : request.uri();
      HttpHeaders headers = request.headers();
      int size = method.length() + 1 + uri.length() + HTTP_1_1_CRLF.length + 2;
      for (Iterator<Map.Entry<CharSequence, CharSequence>> it = headers.iteratorCharSequence(); it.hasNext(); ) {
        Map.Entry<CharSequence, CharSequence> h = it.next();
        size += h.getKey().length() + h.getValue().length() + 4;
      }
      byte[] out = scratch.length >= size ? scratch : (scratch = new byte[Math.max(size, scratch.length * 2)]);
      int at = put(method, out, 0);
      out[at++] = ' ';
      at = put(uri, out, at);
      System.arraycopy(HTTP_1_1_CRLF, 0, out, at, HTTP_1_1_CRLF.length);
      at += HTTP_1_1_CRLF.length;
      for (Iterator<Map.Entry<CharSequence, CharSequence>> it = headers.iteratorCharSequence(); it.hasNext(); ) {
        Map.Entry<CharSequence, CharSequence> h = it.next();
        at = put(h.getKey(), out, at);
        out[at++] = ':';
        out[at++] = ' ';
        at = put(h.getValue(), out, at);
        out[at++] = '\r';
        out[at++] = '\n';
      }
      out[at++] = '\r';
      out[at++] = '\n';
      return ctx.alloc().directBuffer(at).writeBytes(out, 0, at);
    }
  }

  /**
   * Writes the text's characters as bytes: each one is a byte already (ISO-8859-1, as Netty's decoder reads a
   * message; the gateway's own values are ASCII). A CR, LF or NUL would end or break the head: refused, as is
   * a character above U+00FF, which only a bug could put here and whose low byte could be one of them. For the
   * heads of both directions (requests here, answers in {@link ResponseHeads}).
   */
  @SuppressWarnings("deprecation") // String.getBytes(int, int, byte[], int): a plain copy for one-byte strings
  static int put(CharSequence text, byte[] out, int at) {
    int length = text.length();
    if (text instanceof AsciiString ascii) {
      System.arraycopy(ascii.array(), ascii.arrayOffset(), out, at, length);
      for (int i = at; i < at + length; i++) {
        if (out[i] == '\r' || out[i] == '\n' || out[i] == 0) {
          throw unsafe();
        }
      }
    } else if (text instanceof String s) {
      s.getBytes(0, length, out, at);
      for (int i = 0; i < length; i++) {
        char c = s.charAt(i);
        if (c > 0xff || c == '\r' || c == '\n' || c == 0) {
          throw unsafe();
        }
      }
    } else {
      for (int i = 0; i < length; i++) {
        char c = text.charAt(i);
        if (c > 0xff || c == '\r' || c == '\n' || c == 0) {
          throw unsafe();
        }
        out[at + i] = (byte) c;
      }
    }
    return at + length;
  }

  private static IllegalArgumentException unsafe() {
    return new IllegalArgumentException("a start line or header with CR, LF, NUL or a character above U+00FF");
  }
}
