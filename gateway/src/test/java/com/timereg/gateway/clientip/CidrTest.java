package com.timereg.gateway.clientip;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class CidrTest {

  @Test
  void parsesIpv4AndIpv6BlocksAndPrintsThemCanonically() {
    assertThat(Cidr.parse("10.0.0.0/8").toString()).isEqualTo("10.0.0.0/8");
    assertThat(Cidr.parse(" 2001:DB8:0::/32 ").toString()).isEqualTo("2001:db8::/32");
    assertThat(Cidr.parse("192.0.2.7").toString()).isEqualTo("192.0.2.7/32");
    assertThat(Cidr.parse("::1").toString()).isEqualTo("::1/128");
    assertThat(Cidr.parse("0.0.0.0/0").prefixLength()).isZero();
  }

  @Test
  void treatsIpv4MappedIpv6AsIpv4() {
    assertThat(Cidr.parse("::ffff:192.0.2.7")).isEqualTo(Cidr.parse("192.0.2.7/32"));
  }

  @Test
  void ipv4MappedRangesCountTheirPrefixInIpv6Bits() {
    assertThat(Cidr.parse("::ffff:192.0.2.0/120")).isEqualTo(Cidr.parse("192.0.2.0/24"));
    assertThat(Cidr.parse("::ffff:0:0/96")).isEqualTo(Cidr.parse("0.0.0.0/0"));
    assertThat(Cidr.parse("::ffff:c000:200/120")).isEqualTo(Cidr.parse("192.0.2.0/24"));
    assertThat(Cidr.parse("::ffff:192.0.2.7/128")).isEqualTo(Cidr.parse("192.0.2.7/32"));
    // As IPv6, "::ffff:192.0.2.0/24" is a /24 far outside the mapped addresses: never silently an IPv4 /24.
    assertThatThrownBy(() -> Cidr.parse("::ffff:192.0.2.0/24"))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("prefix of at least 96");
    assertThatThrownBy(() -> Cidr.parse("::ffff:192.0.2.1/120"))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("did you mean 192.0.2.0/24?");
  }

  @Test
  void containsAddressesInsideTheBlockOnly() {
    Cidr c = Cidr.parse("192.0.2.128/25");
    assertThat(c.contains(IpLiterals.parse("192.0.2.128"))).isTrue();
    assertThat(c.contains(IpLiterals.parse("192.0.2.255"))).isTrue();
    assertThat(c.contains(IpLiterals.parse("192.0.2.127"))).isFalse();
    assertThat(c.contains(IpLiterals.parse("::ffff:192.0.2.200"))).isTrue();
    assertThat(c.contains(IpLiterals.parse("2001:db8::1"))).isFalse();
    Cidr v6 = Cidr.parse("2001:db8::/32");
    assertThat(v6.contains(IpLiterals.parse("2001:db8:ffff::1"))).isTrue();
    assertThat(v6.contains(IpLiterals.parse("2001:db9::1"))).isFalse();
    assertThat(v6.contains(IpLiterals.parse("192.0.2.1"))).isFalse();
    assertThat(Cidr.parse("0.0.0.0/0").contains(IpLiterals.parse("203.0.113.5"))).isTrue();
  }

  @ParameterizedTest
  @CsvSource(delimiter = '|', value = {
      "''|empty address range",
      "example.com/8|'example.com' is not an IPv4 or IPv6 address literal",
      "10.0.0/8|'10.0.0' is not an IPv4 or IPv6 address literal",
      "010.0.0.1|not an IPv4 or IPv6 address literal",
      "10.0.0.0/33|IPv4 allows at most 32",
      "2001:db8::/129|IPv6 allows at most 128",
      "10.0.0.0/|no valid prefix length",
      "10.0.0.0/x|no valid prefix length",
      "10.0.0.0/-1|no valid prefix length",
      "10.0.0.1/8|did you mean 10.0.0.0/8?",
      "2001:db8::1/32|did you mean 2001:db8::/32?",
      "fe80::1%eth0/64|not an IPv4 or IPv6 address literal"})
  void rejectsBadInputWithAMessageAnAdministratorCanAct(String input, String message) {
    assertThatThrownBy(() -> Cidr.parse(input))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining(message);
  }

  @Test
  void neverResolvesHostNames() {
    assertThat(IpLiterals.parse("localhost")).isNull();
    assertThat(IpLiterals.parse("1.2.3")).isNull();
    assertThat(IpLiterals.parse("0x7f.0.0.1")).isNull();
  }

  @Test
  void refusesLeadingZerosInsideIpv4MappedAddressesToo() {
    assertThat(IpLiterals.parse("010.0.0.1")).isNull();
    assertThat(IpLiterals.parse("::ffff:010.0.0.1")).as("8.0.0.1 to some parsers, 10.0.0.1 to others").isNull();
    assertThat(IpLiterals.parse("::ffff:10.0.0.01")).isNull();
    assertThat(IpLiterals.parse("::ffff:10.0.0.1")).isEqualTo(IpLiterals.parse("10.0.0.1"));
    assertThat(IpLiterals.parse("::ffff:0.0.0.0")).isEqualTo(IpLiterals.parse("0.0.0.0"));
  }

  @Test
  void peerAddressesMayCarryAZoneId() {
    assertThat(IpLiterals.parsePeer("fe80:0:0:0:0:0:0:1%eth0")).isEqualTo(IpLiterals.parse("fe80::1"));
    assertThat(IpLiterals.parsePeer("127.0.0.1")).isEqualTo(IpLiterals.parse("127.0.0.1"));
    assertThat(IpLiterals.parsePeer(null)).isNull();
  }
}
