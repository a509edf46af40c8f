package com.timereg.gateway.proxy;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.Unpooled;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.util.AsciiString;
import java.nio.charset.StandardCharsets;
import java.util.Iterator;
import java.util.Map;
import java.util.Set;

/**
 * The bytes of a relayed answer on the direct path, written straight from the backend's decoded answer to the
 * client connection, past Vert.x's encoder: the head (status line and the headers {@link HeaderHygiene#toClient}
 * keeps, then the gateway's), and the chunk framing when the answer goes out chunked.
 *
 * <p>Why not build a header map and let Vert.x's encoder write it: the copy into the map, the map's hashing and
 * the encoder's own pass over it were about 3% of a relayed request's CPU (docs/benchmarks.md); this is one pass
 * over the decoded headers into one buffer. The framing is the encoder's: status line {@code HTTP/1.1 <code>
 * <standard reason>}, each header as {@code name: value} in the octets it was read as, chunks as
 * {@code <hex size> CRLF data CRLF}, the end as {@code 0 CRLF CRLF}. The router's path
 * ({@link ResponseRelay}) writes the same answer (DirectRelayEndToEndTest compares them).
 *
 * <p>Confined to one event loop (its scratch space is reused).
 */
final class ResponseHeads {

  private static final byte[][] STATUS_LINES = new byte[600][];
  private static final AsciiString STRICT_TRANSPORT_SECURITY = AsciiString.cached("Strict-Transport-Security");
  private static final byte[] CONTENT_LENGTH = "content-length: ".getBytes(StandardCharsets.US_ASCII);
  private static final byte[] CHUNKED = "transfer-encoding: chunked\r\n".getBytes(StandardCharsets.US_ASCII);
  private static final byte[] HSTS = "Strict-Transport-Security: ".getBytes(StandardCharsets.US_ASCII);
  private static final byte[] CLOSE = "connection: close\r\n".getBytes(StandardCharsets.US_ASCII);
  private static final ByteBuf CRLF = constant("\r\n");
  private static final ByteBuf LAST_CHUNK = constant("0\r\n\r\n");

  static {
    for (int code = 100; code < STATUS_LINES.length; code++) {
      STATUS_LINES[code] = statusLine(code);
    }
  }

  private final String gatewayCookiePrefix;
  private byte[] scratch = new byte[1024];

  ResponseHeads(String gatewayCookiePrefix) {
    this.gatewayCookiePrefix = gatewayCookiePrefix;
  }

  /**
   * The head of the answer to the client.
   *
   * @param contentLength the backend's Content-Length, written as it came; or null
   * @param chunked       the body goes out chunked ({@code transfer-encoding: chunked} is added)
   * @param hsts          Strict-Transport-Security value in place of any the backend sent, or null
   * @param close         add {@code Connection: close}
   * @throws IllegalArgumentException when a header holds CR, LF, NUL or a character above U+00FF (a decoder never
   *     lets one through; see {@link BackendCodec#put})
   */
  ByteBuf head(ByteBufAllocator alloc, int status, HttpHeaders from, String contentLength, boolean chunked,
      String hsts, boolean close) {
    return head(alloc, status, from, contentLength, chunked, hsts, close, 0);
  }

  /** The same, in a buffer with room for {@code room} more bytes (the body, when it is small). */
  ByteBuf head(ByteBufAllocator alloc, int status, HttpHeaders from, String contentLength, boolean chunked,
      String hsts, boolean close, int room) {
    byte[] line = status >= 100 && status < STATUS_LINES.length ? STATUS_LINES[status] : statusLine(status);
    byte[] out = room(0, line.length);
    System.arraycopy(line, 0, out, 0, line.length);
    int at = line.length;
    Set<String> nominated = from.contains(HttpHeaderNames.CONNECTION)
        ? HeaderHygiene.connectionTokens(from.getAll(HttpHeaderNames.CONNECTION)) : Set.of();
    for (Iterator<Map.Entry<CharSequence, CharSequence>> it = from.iteratorCharSequence(); it.hasNext(); ) {
      Map.Entry<CharSequence, CharSequence> h = it.next();
      CharSequence name = h.getKey();
      CharSequence value = h.getValue();
      if (!HeaderHygiene.keepResponseHeader(name, value, nominated, gatewayCookiePrefix)
          || hsts != null && AsciiString.contentEqualsIgnoreCase(name, STRICT_TRANSPORT_SECURITY)) {
        continue;
      }
      at = header(name, value, at);
    }
    if (contentLength != null) {
      at = header(CONTENT_LENGTH, contentLength, at);
    } else if (chunked) {
      at = bytes(CHUNKED, at);
    }
    if (hsts != null) {
      at = header(HSTS, hsts, at);
    }
    if (close) {
      at = bytes(CLOSE, at);
    }
    out = room(at, 2);
    out[at++] = '\r';
    out[at++] = '\n';
    return alloc.directBuffer(at + room).writeBytes(out, 0, at);
  }

  /** The size line of a chunk of {@code size} bytes (more than zero). */
  static ByteBuf chunkSize(ByteBufAllocator alloc, int size) {
    String hex = Integer.toHexString(size);
    ByteBuf buf = alloc.directBuffer(hex.length() + 2);
    buf.writeCharSequence(hex, StandardCharsets.US_ASCII);
    return buf.writeByte('\r').writeByte('\n');
  }

  /** The CRLF after a chunk's data. */
  static ByteBuf chunkEnd() {
    return CRLF.duplicate();
  }

  /**
   * The last chunk. The backend's trailers are not passed on, as on the router's path (and nginx's): its
   * {@code Trailer} header, being hop-by-hop, is not either.
   */
  static ByteBuf lastChunk() {
    return LAST_CHUNK.duplicate();
  }

  /** {@code name: value CRLF} at {@code at}; returns the new end. */
  private int header(CharSequence name, CharSequence value, int at) {
    byte[] out = room(at, name.length() + value.length() + 4);
    at = BackendCodec.put(name, out, at);
    out[at++] = ':';
    out[at++] = ' ';
    at = BackendCodec.put(value, out, at);
    out[at++] = '\r';
    out[at++] = '\n';
    return at;
  }

  /** The prefix bytes (a name with its ": "), then the value, then CRLF. */
  private int header(byte[] prefix, CharSequence value, int at) {
    byte[] out = room(at, prefix.length + value.length() + 2);
    System.arraycopy(prefix, 0, out, at, prefix.length);
    at = BackendCodec.put(value, out, at + prefix.length);
    out[at++] = '\r';
    out[at++] = '\n';
    return at;
  }

  private int bytes(byte[] bytes, int at) {
    byte[] out = room(at, bytes.length);
    System.arraycopy(bytes, 0, out, at, bytes.length);
    return at + bytes.length;
  }

  /** The scratch array with room for {@code more} bytes after the first {@code used}. */
  private byte[] room(int used, int more) {
    if (scratch.length - used < more) {
      scratch = java.util.Arrays.copyOf(scratch, Math.max(used + more, scratch.length * 2));
    }
    return scratch;
  }

  private static byte[] statusLine(int code) {
    return ("HTTP/1.1 " + HttpResponseStatus.valueOf(code) + "\r\n").getBytes(StandardCharsets.US_ASCII);
  }

  private static ByteBuf constant(String text) {
    byte[] bytes = text.getBytes(StandardCharsets.US_ASCII);
    return Unpooled.unreleasableBuffer(Unpooled.directBuffer(bytes.length).writeBytes(bytes));
  }
}
