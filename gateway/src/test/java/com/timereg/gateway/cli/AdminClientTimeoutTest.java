package com.timereg.gateway.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

import com.sun.net.httpserver.HttpServer;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** A gateway that stops answering half-way through an answer (frozen, cut off) must not hang the CLI. */
class AdminClientTimeoutTest {
  @Test
  void anAnswerThatStopsHalfWayIsReportedWithinTheRequestTimeout() throws Exception {
    CountDownLatch release = new CountDownLatch(1);
    HttpServer server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
    server.createContext("/", exchange -> {
      exchange.sendResponseHeaders(200, 1000);
      exchange.getResponseBody().write("{\"items\":[".getBytes());
      exchange.getResponseBody().flush();
      try {
        release.await(30, TimeUnit.SECONDS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
      exchange.close();
    });
    server.start();
    try {
      AdminClient client = new AdminClient(URI.create("http://127.0.0.1:" + server.getAddress().getPort()), "staff",
          Duration.ofMillis(300));
      assertTimeoutPreemptively(Duration.ofSeconds(10), () ->
          assertThatThrownBy(() -> client.get("/blocks")).isInstanceOf(AdminClient.AdminClientException.class)
              .hasMessageContaining("did not answer within"));
    } finally {
      release.countDown();
      server.stop(0);
    }
  }
}
