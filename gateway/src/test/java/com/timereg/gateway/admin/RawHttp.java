package com.timereg.gateway.admin;

import com.timereg.gateway.testsupport.TrustAllTls;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLSocket;

/**
 * Sends a request exactly as written (request line, Host header, encoded or dot-segment paths)
 * over a plain or TLS socket: HTTP clients normalise paths and refuse odd Host headers, which is
 * exactly what these tests must not have happen.
 */
final class RawHttp {
  private RawHttp() {}

  record Response(int status, String head, String body) {}

  static Response plain(int port, String requestLineAndHeaders) throws IOException {
    try (Socket s = new Socket()) {
      s.connect(new InetSocketAddress("127.0.0.1", port), 5000);
      return exchange(s, requestLineAndHeaders, "");
    }
  }

  /** Over TLS, trusting any certificate: the public listener's self-signed one in tests. */
  static Response tls(int port, String requestLineAndHeaders) throws Exception {
    return tlsFrom("127.0.0.1", port, requestLineAndHeaders, "");
  }

  /**
   * Over TLS from a chosen loopback source address (a distinct client for the throttle), with a
   * body after the head.
   */
  static Response tlsFrom(String source, int port, String requestLineAndHeaders, String body) throws Exception {
    SSLContext ctx = TrustAllTls.context();
    try (SSLSocket s = (SSLSocket) ctx.getSocketFactory().createSocket()) {
      s.bind(new InetSocketAddress(source, 0));
      s.connect(new InetSocketAddress("127.0.0.1", port), 5000);
      s.setSSLParameters(withHttp11(s));
      s.startHandshake();
      return exchange(s, requestLineAndHeaders, body);
    }
  }

  private static javax.net.ssl.SSLParameters withHttp11(SSLSocket s) {
    javax.net.ssl.SSLParameters p = s.getSSLParameters();
    p.setApplicationProtocols(new String[] {"http/1.1"});
    return p;
  }

  private static Response exchange(Socket s, String head, String body) throws IOException {
    s.setSoTimeout(10_000);
    OutputStream out = s.getOutputStream();
    out.write((head + "Connection: close\r\n\r\n").getBytes(StandardCharsets.ISO_8859_1));
    out.write(body.getBytes(StandardCharsets.UTF_8));
    out.flush();
    InputStream in = s.getInputStream();
    ByteArrayOutputStream all = new ByteArrayOutputStream();
    byte[] buf = new byte[8192];
    try {
      for (int n; (n = in.read(buf)) >= 0; ) {
        all.write(buf, 0, n);
      }
    } catch (java.net.SocketException e) {
      // A server closing right after the response may reset; what was read is the answer.
    }
    String text = all.toString(StandardCharsets.UTF_8);
    int split = text.indexOf("\r\n\r\n");
    if (split < 0) {
      throw new IOException("no complete response: '" + text + "'");
    }
    String responseHead = text.substring(0, split);
    String responseBody = text.substring(split + 4);
    if (responseHead.toLowerCase(java.util.Locale.ROOT).contains("transfer-encoding: chunked")) {
      responseBody = dechunk(responseBody);
    }
    int status = Integer.parseInt(responseHead.substring(9, 12));
    return new Response(status, responseHead, responseBody);
  }

  private static String dechunk(String chunked) {
    StringBuilder out = new StringBuilder();
    int i = 0;
    while (i < chunked.length()) {
      int eol = chunked.indexOf("\r\n", i);
      if (eol < 0) {
        break;
      }
      int size = Integer.parseInt(chunked.substring(i, eol).split(";")[0].trim(), 16);
      if (size == 0) {
        break;
      }
      out.append(chunked, eol + 2, eol + 2 + size);
      i = eol + 2 + size + 2;
    }
    return out.toString();
  }
}
