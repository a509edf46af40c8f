package com.timereg.gateway.accesslog;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.json.JsonObject;
import java.time.Instant;
import org.junit.jupiter.api.Test;

class JsonLinesAccessLogTest {
  private static final Instant T = Instant.parse("2026-11-27T08:00:01.250Z");

  private static AccessEntry entry(String path, String userAgent) {
    return new AccessEntry("203.0.113.9", "GET", path, "HTTP/1.1", "time.example.com", 200, 1234, 870,
        "erin@example.com", "acme", "sso", "direct", userAgent);
  }

  @Test
  void everyFieldIsThereAndAbsentOnesAreLeftOut() {
    JsonObject line = new JsonObject(JsonLinesAccessLog.format(entry("/api/me", "app/1"), T));
    assertThat(line.getString("time")).isEqualTo("2026-11-27T08:00:01.250Z");
    assertThat(line.getString("client")).isEqualTo("203.0.113.9");
    assertThat(line.getInteger("status")).isEqualTo(200);
    assertThat(line.getLong("bytes")).isEqualTo(1234);
    assertThat(line.getLong("duration_us")).isEqualTo(870);
    assertThat(line.getString("auth")).isEqualTo("sso");
    assertThat(line.getString("via")).isEqualTo("direct");

    JsonObject anonymous = new JsonObject(JsonLinesAccessLog.format(new AccessEntry("203.0.113.9", "GET", "/", "HTTP/2",
        null, 401, 0, 10, null, null, null, "router", null), T));
    assertThat(anonymous.fieldNames()).doesNotContain("user", "customer", "auth", "host", "user_agent");
  }

  @Test
  void quotesBackslashesControlAndNonAsciiCharactersAreEscapedSoALineCannotBeForged() {
    String hostile = "a\"}\n{\"user\":\"root\\\u0000\u00e9\u2028";
    String text = JsonLinesAccessLog.format(entry("/x", hostile), T);
    assertThat(text).doesNotContain("\n").doesNotContain("\u00e9").doesNotContain("\u2028").doesNotContain("\u0000");
    JsonObject line = new JsonObject(text);
    assertThat(line.getString("user_agent")).isEqualTo(hostile);
    assertThat(line.getString("user")).isEqualTo("erin@example.com");
  }

  @Test
  void linesAreWrittenInBatchesAndWhatIsQueuedWhenClosing() {
    java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
    JsonLinesAccessLog log = new JsonLinesAccessLog(out, java.time.Clock.fixed(T, java.time.ZoneOffset.UTC));
    for (int i = 0; i < 1000; i++) {
      log.log(entry("/api/" + i, null));
    }
    log.close();
    String[] lines = out.toString(java.nio.charset.StandardCharsets.US_ASCII).split("\n");
    assertThat(lines).hasSize(1000);
    assertThat(new JsonObject(lines[999]).getString("path")).isEqualTo("/api/999");
    assertThat(log.dropped()).isZero();
  }

  @Test
  void whenTheOutputFailsLinesAreDroppedAndCountedNotThrown() {
    java.io.OutputStream broken = new java.io.OutputStream() {
      @Override
      public void write(int b) throws java.io.IOException {
        throw new java.io.IOException("disk full");
      }
    };
    JsonLinesAccessLog log = new JsonLinesAccessLog(broken, java.time.Clock.fixed(T, java.time.ZoneOffset.UTC));
    log.log(entry("/a", null));
    log.log(entry("/b", null));
    log.close();
    assertThat(log.dropped()).isEqualTo(2);
  }

  @Test
  void timesAlwaysCarryThreeDigitsOfMilliseconds() {
    assertThat(new JsonObject(JsonLinesAccessLog.format(entry("/", null), Instant.parse("2026-11-27T08:00:01Z")))
        .getString("time")).isEqualTo("2026-11-27T08:00:01.000Z");
    assertThat(new JsonObject(JsonLinesAccessLog.format(entry("/", null), Instant.parse("2026-11-27T08:00:01.005Z")))
        .getString("time")).isEqualTo("2026-11-27T08:00:01.005Z");
    assertThat(new JsonObject(JsonLinesAccessLog.format(entry("/", null), Instant.parse("2026-11-27T08:00:01.05Z")))
        .getString("time")).isEqualTo("2026-11-27T08:00:01.050Z");
  }

  @Test
  void longTextIsCut() {
    String path = "/" + "a".repeat(5000);
    JsonObject line = new JsonObject(JsonLinesAccessLog.format(entry(path, null), T));
    assertThat(line.getString("path")).hasSize(JsonLinesAccessLog.MAX_TEXT + 3).endsWith("...");
  }
}
