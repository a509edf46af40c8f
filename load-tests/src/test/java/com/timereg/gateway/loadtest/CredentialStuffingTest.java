package com.timereg.gateway.loadtest;

import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The attacking addresses get blocked, and with five blocked clients in a /24 their whole range: so the
 * simulation must not attack from the range of the generator's own address (127.0.0.1, where every run
 * without a pool comes from) nor from the ranges of its own legitimate users.
 */
class CredentialStuffingTest {
  @AfterEach
  void clear() {
    for (String name : new String[] {"attackFirstRange", "attackSources", "legitSources"}) {
      System.clearProperty(name);
    }
  }

  @Test
  void theDefaultPoolsAreApart() {
    assertThatCode(CredentialStuffing::attackAddresses).doesNotThrowAnyException();
  }

  @Test
  void refusesToAttackFromTheRangeOfTheGeneratorsOwnAddress() {
    System.setProperty("attackFirstRange", "127.0.0.0");
    assertThatThrownBy(CredentialStuffing::attackAddresses).hasMessageContaining("127.0.0.0/24").hasMessageContaining("127.0.0.1");
    System.clearProperty("attackFirstRange");
    System.setProperty("attackSources", "127.0.0.9");
    assertThatThrownBy(CredentialStuffing::attackAddresses).hasMessageContaining("127.0.0.0/24");
  }

  @Test
  void refusesToAttackFromTheRangesOfTheLegitimateUsers() {
    System.setProperty("attackSources", "127.66.1.0/28,127.1.0.200");
    assertThatThrownBy(CredentialStuffing::attackAddresses).hasMessageContaining("127.1.0.0/24").hasMessageContaining("legitSources");
    System.setProperty("legitSources", "127.2.0.0/24");
    assertThatCode(CredentialStuffing::attackAddresses).doesNotThrowAnyException();
  }
}
