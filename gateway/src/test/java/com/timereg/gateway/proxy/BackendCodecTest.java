package com.timereg.gateway.proxy;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.http.DefaultHttpContent;
import io.netty.handler.codec.http.DefaultHttpRequest;
import io.netty.handler.codec.http.DefaultLastHttpContent;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.util.ReferenceCountUtil;
import io.vertx.core.http.impl.headers.HeadersMultiMap;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The direct path's HTTP/1.1 to the backend: request heads as bytes, responses by Netty's decoder. */
class BackendCodecTest {

  private final List<Throwable> failures = new ArrayList<>();

  private EmbeddedChannel channel() {
    BackendCodec codec = new BackendCodec(4096, 8192, 8192);
    return new EmbeddedChannel(codec.decoder(), codec.encoder(), new ChannelInboundHandlerAdapter() {
      @Override
      public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        failures.add(cause);
      }
    });
  }

  private static String written(EmbeddedChannel channel) {
    StringBuilder out = new StringBuilder();
    for (ByteBuf b; (b = channel.readOutbound()) != null; ) {
      out.append(b.toString(StandardCharsets.ISO_8859_1));
      b.release();
    }
    return out.toString();
  }

  private static DefaultHttpRequest request(HttpMethod method, String uri, HeadersMultiMap headers) {
    return new DefaultHttpRequest(HttpVersion.HTTP_1_1, method, uri, headers);
  }

  @Test
  void aRequestHeadIsWrittenOctetForOctetInItsHeadersOrderAndItsBodyAsItsBytes() {
    EmbeddedChannel channel = channel();
    HeadersMultiMap headers = HeadersMultiMap.httpHeaders(null);
    headers.add(HttpHeaderNames.HOST, "backend:8080");
    // A value with obs-text, as Netty's decoder reads it: one character per octet.
    headers.add("X-Label", "caf\u00c3\u00a9\tnoir");
    headers.add("Accept", "a");
    headers.add("accept", "b");
    headers.add(HttpHeaderNames.CONTENT_LENGTH, "9");
    channel.writeOutbound(request(HttpMethod.POST, "/api/x?q=1", headers));
    channel.writeOutbound(new DefaultHttpContent(Unpooled.copiedBuffer("body-", StandardCharsets.US_ASCII)));
    channel.writeOutbound(new DefaultLastHttpContent(Unpooled.copiedBuffer("part", StandardCharsets.US_ASCII)));

    assertThat(written(channel)).isEqualTo("POST /api/x?q=1 HTTP/1.1\r\n"
        + "host: backend:8080\r\nX-Label: caf\u00c3\u00a9\tnoir\r\nAccept: a\r\naccept: b\r\ncontent-length: 9\r\n\r\n"
        + "body-part");
    assertThat(failures).isEmpty();
  }

  @Test
  void aHeadTooLargeForTheScratchSpaceIsWrittenWhole() {
    EmbeddedChannel channel = channel();
    HeadersMultiMap headers = HeadersMultiMap.httpHeaders(null);
    String cookie = "c=" + "x".repeat(6000);
    headers.add("Cookie", cookie);
    channel.writeOutbound(request(HttpMethod.GET, "/", headers));
    channel.writeOutbound(LastHttpContent.EMPTY_LAST_CONTENT);
    assertThat(written(channel)).isEqualTo("GET / HTTP/1.1\r\nCookie: " + cookie + "\r\n\r\n");
  }

  @Test
  void aValueThatCouldBreakTheHeadIsRefusedAndNothingIsWritten() {
    for (String value : new String[] {"a\rb", "a\nb", "a\u0000b", "a\u010ab", "\u0141"}) {
      failures.clear();
      EmbeddedChannel channel = channel();
      HeadersMultiMap headers = HeadersMultiMap.httpHeaders(null);
      headers.add("X-Value", value);
      ChannelFuture sent = channel.writeOneOutbound(request(HttpMethod.GET, "/", headers));
      channel.flushOutbound();
      assertThat(sent.isSuccess()).as(value).isFalse();
      assertThat(written(channel)).as(value).isEmpty();
      assertThat(failures).as(value).singleElement().isInstanceOf(IllegalArgumentException.class);
    }
  }

  @Test
  void theAnswerToAHeadHasNoBodyEvenAfterAnInformationalOneAndTheNextAnswerIsReadWhole() {
    EmbeddedChannel channel = channel();
    channel.writeOutbound(request(HttpMethod.HEAD, "/report.pdf", HeadersMultiMap.httpHeaders(null)));
    written(channel);
    channel.writeInbound(Unpooled.copiedBuffer("HTTP/1.1 103 Early Hints\r\nLink: </a.css>\r\n\r\n"
        + "HTTP/1.1 200 OK\r\nContent-Length: 1000\r\n\r\n", StandardCharsets.US_ASCII));
    List<Object> head = inbound(channel);
    assertThat(head).hasSize(4);
    assertThat(((HttpResponse) head.get(0)).status().code()).isEqualTo(103);
    assertThat(((HttpResponse) head.get(2)).status().code()).isEqualTo(200);
    assertThat(head.get(3)).isInstanceOf(LastHttpContent.class);
    assertThat(((HttpContent) head.get(3)).content().readableBytes()).isZero();
    release(head);

    channel.writeOutbound(request(HttpMethod.GET, "/report.pdf", HeadersMultiMap.httpHeaders(null)));
    written(channel);
    channel.writeInbound(Unpooled.copiedBuffer("HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok", StandardCharsets.US_ASCII));
    List<Object> get = inbound(channel);
    StringBuilder body = new StringBuilder();
    for (Object o : get) {
      if (o instanceof HttpContent c) {
        body.append(c.content().toString(StandardCharsets.US_ASCII));
      }
    }
    assertThat(body).hasToString("ok");
    assertThat(get.get(get.size() - 1)).isInstanceOf(LastHttpContent.class);
    release(get);
  }

  private static List<Object> inbound(EmbeddedChannel channel) {
    List<Object> out = new ArrayList<>();
    for (Object o; (o = channel.readInbound()) != null; ) {
      out.add(o);
    }
    return out;
  }

  private static void release(List<Object> messages) {
    messages.forEach(ReferenceCountUtil::release);
  }
}
