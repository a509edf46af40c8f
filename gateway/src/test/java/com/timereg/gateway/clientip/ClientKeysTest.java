package com.timereg.gateway.clientip;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class ClientKeysTest {
  private final ClientKeys keys = new ClientKeys(ClientKeyPolicy.DEFAULTS);

  @Test
  void ipv4ClientIsTheAddressAndItsRangeTheSlash24() {
    assertThat(keys.clientKey(IpLiterals.parse("192.0.2.77")).toCidr()).isEqualTo(Cidr.parse("192.0.2.77/32"));
    assertThat(keys.rangeKey(IpLiterals.parse("192.0.2.77")).toCidr()).isEqualTo(Cidr.parse("192.0.2.0/24"));
  }

  @Test
  void ipv6ClientIsTheSlash64AndItsRangeTheSlash48() {
    var a = IpLiterals.parse("2001:db8:1:2:aaaa::1");
    var b = IpLiterals.parse("2001:db8:1:2:bbbb::2");
    assertThat(keys.clientKey(a)).isEqualTo(keys.clientKey(b));
    assertThat(keys.clientKey(a).toCidr()).isEqualTo(Cidr.parse("2001:db8:1:2::/64"));
    assertThat(keys.rangeKey(a).toCidr()).isEqualTo(Cidr.parse("2001:db8:1::/48"));
    assertThat(keys.clientKey(IpLiterals.parse("2001:db8:1:3::1"))).isNotEqualTo(keys.clientKey(a));
  }

  @Test
  void keysAreSeventeenBytesAndRoundTrip() {
    AddressKey k = keys.rangeKey(IpLiterals.parse("2001:db8:1:2::1"));
    assertThat(k.toBytes()).hasSize(AddressKey.SIZE);
    assertThat(AddressKey.fromBytes(k.toBytes())).isEqualTo(k);
    AddressKey v4 = keys.clientKey(IpLiterals.parse("198.51.100.1"));
    assertThat(v4.isIpv4()).isTrue();
    assertThat(AddressKey.fromBytes(v4.toBytes()).toCidr()).isEqualTo(Cidr.parse("198.51.100.1/32"));
  }

  @Test
  void ipv4KeysNeverCollideWithIpv6Keys() {
    AddressKey v4 = AddressKey.of(IpLiterals.parse("0.0.0.0"), 0);
    AddressKey v6 = AddressKey.of(IpLiterals.parse("::"), 0);
    assertThat(v4).isNotEqualTo(v6);
  }

  @Test
  void prefixLengthsAreConfigurable() {
    ClientKeys wide = new ClientKeys(new ClientKeyPolicy(32, 56, 16, 40));
    assertThat(wide.rangeKey(IpLiterals.parse("192.0.2.77")).toCidr()).isEqualTo(Cidr.parse("192.0.0.0/16"));
    assertThat(wide.clientKey(IpLiterals.parse("2001:db8:1:2ff::1")).toCidr()).isEqualTo(Cidr.parse("2001:db8:1:200::/56"));
    assertThat(wide.shapeOf(Cidr.parse("192.0.0.0/16"))).isEqualTo(ClientKeys.Shape.RANGE);
    assertThat(wide.shapeOf(Cidr.parse("10.0.0.0/8"))).isEqualTo(ClientKeys.Shape.OTHER);
  }

  @Test
  void rejectsARangeNarrowerThanItsClients() {
    assertThatThrownBy(() -> new ClientKeys(new ClientKeyPolicy(24, 64, 28, 48)))
        .hasMessageContaining("ipv4-range-prefix (28) must not be longer than ipv4-client-prefix (24)");
  }
}
