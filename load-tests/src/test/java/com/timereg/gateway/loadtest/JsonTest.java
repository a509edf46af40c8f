package com.timereg.gateway.loadtest;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class JsonTest {
  @Test
  void escapesQuotesBackslashesAndControlCharacters() {
    assertThat(Json.object("username", "a\"b", "password", "c\\d\n\u0001é"))
        .isEqualTo("{\"username\":\"a\\\"b\",\"password\":\"c\\\\d\\n\\u0001é\"}");
  }
}
