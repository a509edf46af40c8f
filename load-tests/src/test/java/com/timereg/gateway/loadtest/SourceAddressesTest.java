package com.timereg.gateway.loadtest;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import org.junit.jupiter.api.Test;

class SourceAddressesTest {
  @Test
  void blankSpecIsAnEmptyPool() {
    assertThat(SourceAddresses.parse("  ")).isEmpty();
  }

  @Test
  void singleAddressesAndBlocksMix() {
    assertThat(SourceAddresses.parse("127.0.0.9, 127.1.0.0/30"))
        .containsExactly("127.0.0.9", "127.1.0.1", "127.1.0.2", "127.1.0.3");
  }

  @Test
  void slash24YieldsItsHostsWithoutNetworkAndBroadcast() {
    List<String> pool = SourceAddresses.parse("127.1.0.0/24");
    assertThat(pool).hasSize(254).startsWith("127.1.0.1").endsWith("127.1.0.254");
  }

  @Test
  void slash31UsesBothAddresses() {
    assertThat(SourceAddresses.parse("127.2.0.254/31")).containsExactly("127.2.0.254", "127.2.0.255");
  }

  @Test
  void spreadPutsTheSameNumberOfAddressesInEachConsecutiveRange() {
    List<String> pool = SourceAddresses.spread("127.66.1.0", 3, 2);
    assertThat(pool).containsExactly("127.66.1.1", "127.66.1.2", "127.66.2.1", "127.66.2.2", "127.66.3.1", "127.66.3.2");
    assertThat(pool.stream().map(SourceAddresses::rangeOf).distinct())
        .containsExactly("127.66.1.0/24", "127.66.2.0/24", "127.66.3.0/24");
  }

  @Test
  void spreadCarriesIntoTheNextSecondOctet() {
    assertThat(SourceAddresses.spread("127.66.255.0", 2, 1)).containsExactly("127.66.255.1", "127.67.0.1");
  }

  @Test
  void spreadStaysInTheSlash8OfItsFirstRange() {
    // 128.0.0.1 is no loopback address: binding it fails, or sends the attack out of the machine.
    assertThatThrownBy(() -> SourceAddresses.spread("127.255.255.0", 2, 1)).hasMessageContaining("127.0.0.0/8");
    assertThatThrownBy(() -> SourceAddresses.spread("255.255.255.0", 2, 1)).hasMessageContaining("255.0.0.0/8");
    assertThat(SourceAddresses.spread("127.255.254.0", 2, 1)).containsExactly("127.255.254.1", "127.255.255.1");
  }

  @Test
  void refusesWhatIsNotAPoolOfIpv4Addresses() {
    assertThatThrownBy(() -> SourceAddresses.parse("127.0.0.256")).hasMessageContaining("not an IPv4 address");
    assertThatThrownBy(() -> SourceAddresses.parse("localhost")).hasMessageContaining("not an IPv4 address");
    assertThatThrownBy(() -> SourceAddresses.parse("127.0.0.0/8")).hasMessageContaining("/16 or smaller");
    assertThatThrownBy(() -> SourceAddresses.parse("127.0.0.0/x")).hasMessageContaining("bad prefix");
    assertThatThrownBy(() -> SourceAddresses.spread("127.66.1.5", 1, 1)).hasMessageContaining("does not start a /24");
    assertThatThrownBy(() -> SourceAddresses.spread("127.66.1.0", 1, 255)).hasMessageContaining("1-254");
  }
}
