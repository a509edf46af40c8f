package com.timereg.gateway.loadtest;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class ClientPoolTest {
  @AfterEach
  void clear() {
    System.clearProperty("sources");
    System.clearProperty(ClientPool.HEADER_PROPERTY);
  }

  @Test
  void sourcesThatDoNotParseStopTheRunNamingTheProperty() {
    System.setProperty("sources", "127.1.0.0/24,127.2.0.300");
    assertThatThrownBy(ClientPool::fromSources).hasMessageContaining("-Dsources").hasMessageContaining("127.2.0.300");
  }

  @Test
  void sourcesMakeThePool() {
    System.setProperty("sources", "127.1.0.0/30");
    assertThat(ClientPool.fromSources().addresses()).containsExactly("127.1.0.1", "127.1.0.2", "127.1.0.3");
  }
}
