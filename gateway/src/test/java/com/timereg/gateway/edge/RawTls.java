package com.timereg.gateway.edge;

import com.timereg.gateway.testsupport.TrustAllTls;
import java.io.ByteArrayOutputStream;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLSocket;

/**
 * Raw HTTP/1.1 over a real TLS connection from a chosen 127.0.0.0/8 source: requests written in one go
 * (pipelined), answers read until the server closes, so order, framing and bodies are visible on the wire.
 */
final class RawTls {
  private static final Pattern STATUS = Pattern.compile("HTTP/1\\.1 (\\d{3}) ");

  private RawTls() {}

  /** Writes the requests on a TLS 1.3 connection from {@code source} and reads until the server closes it. */
  static String exchange(String source, int port, String requests) throws Exception {
    return exchange(source, port, new byte[0], requests);
  }

  /** {@link #exchange}, with {@code beforeTls} written on the connection before the handshake (a PROXY header). */
  static String exchange(String source, int port, byte[] beforeTls, String requests) throws Exception {
    SSLContext tls = TrustAllTls.context();
    try (Socket plain = new Socket()) {
      plain.bind(new InetSocketAddress(InetAddress.getByName(source), 0));
      plain.connect(new InetSocketAddress("127.0.0.1", port), 5000);
      plain.setSoTimeout(10_000);
      plain.getOutputStream().write(beforeTls);
      plain.getOutputStream().flush();
      try (SSLSocket socket = (SSLSocket) tls.getSocketFactory().createSocket(plain, "localhost", 0, true)) {
        socket.setEnabledProtocols(new String[] {"TLSv1.3"});
        socket.getOutputStream().write(requests.getBytes(StandardCharsets.US_ASCII));
        socket.getOutputStream().flush();
        InputStream in = socket.getInputStream();
        ByteArrayOutputStream all = new ByteArrayOutputStream();
        byte[] buffer = new byte[8192];
        for (int n; (n = in.read(buffer)) >= 0; ) {
          all.write(buffer, 0, n);
        }
        return all.toString(StandardCharsets.UTF_8);
      }
    }
  }

  /** What a client read, and whether the server closed the connection (false: still open after 5 s). */
  record Answers(String text, boolean closed) {}

  /**
   * Like {@link #exchange}, but bytes as ISO-8859-1 both ways (so a request may carry any octet) and a
   * server that keeps the connection open for 5 s is reported, not an error; a reset after the answers
   * counts as closed.
   */
  static Answers exchangeOctets(String source, int port, String requests) throws Exception {
    try (Socket plain = new Socket()) {
      plain.bind(new InetSocketAddress(InetAddress.getByName(source), 0));
      plain.connect(new InetSocketAddress("127.0.0.1", port), 5000);
      plain.setSoTimeout(5_000);
      try (SSLSocket socket = (SSLSocket) TrustAllTls.context().getSocketFactory()
          .createSocket(plain, "localhost", 0, true)) {
        socket.getOutputStream().write(requests.getBytes(StandardCharsets.ISO_8859_1));
        socket.getOutputStream().flush();
        InputStream in = socket.getInputStream();
        ByteArrayOutputStream all = new ByteArrayOutputStream();
        byte[] buffer = new byte[8192];
        try {
          for (int n; (n = in.read(buffer)) >= 0; ) {
            all.write(buffer, 0, n);
          }
          return new Answers(all.toString(StandardCharsets.ISO_8859_1), true);
        } catch (java.net.SocketTimeoutException e) {
          return new Answers(all.toString(StandardCharsets.ISO_8859_1), false);
        } catch (java.net.SocketException e) {
          return new Answers(all.toString(StandardCharsets.ISO_8859_1), true);
        }
      }
    }
  }

  /** The status codes of the responses in {@code answers}, in order. */
  static List<Integer> statuses(String answers) {
    List<Integer> out = new ArrayList<>();
    Matcher m = STATUS.matcher(answers);
    while (m.find()) {
      out.add(Integer.parseInt(m.group(1)));
    }
    return out;
  }

  /** The status of the first response in {@code answer}; an error when there is none. */
  static int status(String answer) {
    Matcher m = STATUS.matcher(answer);
    if (!m.find()) {
      throw new AssertionError("no HTTP answer: " + answer);
    }
    return Integer.parseInt(m.group(1));
  }

  /** How many of a burst's guesses were verified (401) and how many refused unverified (429). */
  record Burst(int verified, int refused) {}

  /**
   * Posts every request at once, each on a connection of its own from {@code source}, as an attacker guessing
   * in parallel does; any answer other than 401 or 429 is an error.
   */
  static Burst burst(String source, int port, List<String> requests) throws Exception {
    java.util.concurrent.ExecutorService threads = java.util.concurrent.Executors.newFixedThreadPool(requests.size());
    try {
      List<java.util.concurrent.Future<Integer>> answers = new ArrayList<>();
      for (String request : requests) {
        answers.add(threads.submit(() -> status(exchange(source, port, request))));
      }
      int verified = 0;
      int refused = 0;
      for (java.util.concurrent.Future<Integer> answer : answers) {
        int status = answer.get();
        if (status == 401) {
          verified++;
        } else if (status == 429) {
          refused++;
        } else {
          throw new AssertionError("a guess answered " + status);
        }
      }
      return new Burst(verified, refused);
    } finally {
      threads.shutdownNow();
    }
  }
}
