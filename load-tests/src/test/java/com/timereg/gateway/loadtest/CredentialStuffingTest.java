package com.timereg.gateway.loadtest;

import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
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
    for (String name : new String[] {"attackFirstRange", "attackSources", "legitSources", "sources", "attackRanges",
        "attackersPerRange"}) {
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

  @Test
  void refusesTheOtherSimulationsPool() {
    // README: -Dsources is the pool of LegitimateTraffic, ProxyThroughput and PasswordChange. Given here (say,
    // the generator's secondary addresses), it was ignored and the run came from the default pools.
    System.setProperty("sources", "10.9.0.0/24");
    assertThatThrownBy(CredentialStuffing::attackAddresses).hasMessageContaining("-Dsources")
        .hasMessageContaining("-DlegitSources").hasMessageContaining("-DattackSources");
  }

  /**
   * README: a value that does not parse stops the run naming the property. Three properties make the pools here;
   * the message named only the value ("not an IPv4 address: '127.1.0'"), not which of them to correct.
   */
  @Test
  void aPoolThatDoesNotParseStopsTheRunNamingItsProperty() {
    System.setProperty("legitSources", "127.1.0");
    assertThatThrownBy(CredentialStuffing::attackAddresses).hasMessageContaining("-DlegitSources")
        .hasMessageContaining("127.1.0");
    System.clearProperty("legitSources");
    System.setProperty("attackSources", "127.66.0.0/33");
    assertThatThrownBy(CredentialStuffing::attackAddresses).hasMessageContaining("-DattackSources");
    System.clearProperty("attackSources");
    System.setProperty("attackFirstRange", "127.66.1.7");
    assertThatThrownBy(CredentialStuffing::attackAddresses).hasMessageContaining("-DattackFirstRange");
    System.clearProperty("attackFirstRange");
    System.setProperty("attackersPerRange", "300");
    assertThatThrownBy(CredentialStuffing::attackAddresses).hasMessageContaining("-DattackersPerRange");
  }

  @Test
  void probesOneFreshAddressInEachRangeWithEnoughAttackers() {
    List<String> attack = List.of("127.66.1.1", "127.66.1.2", "127.66.1.3", "127.66.1.254", "127.66.2.1", "127.66.2.2");
    assertThat(CredentialStuffing.rangeProbeAddresses(attack, 4)).containsExactly("127.66.1.253");
    assertThat(CredentialStuffing.rangeProbeAddresses(attack, 2)).containsExactly("127.66.1.253", "127.66.2.254");
    assertThat(CredentialStuffing.rangeProbeAddresses(attack, 0)).isEmpty();
  }
}
