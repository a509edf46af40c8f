package com.timereg.gateway.clientip;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.InetAddress;
import java.util.Collections;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class ClientAddressResolverTest {
  private final ClientAddressResolver resolver =
      new ClientAddressResolver(List.of(Cidr.parse("10.0.0.0/8"), Cidr.parse("fd00::/8")));

  private static InetAddress ip(String s) {
    return IpLiterals.parse(s);
  }

  private String resolve(String peer, String... headers) {
    return resolver.resolve(ip(peer), List.of(headers)).getHostAddress();
  }

  @Test
  void thePeerIsTheClientWhenNoProxyIsTrusted() {
    ClientAddressResolver direct = ClientAddressResolver.direct();
    assertThat(direct.resolve(ip("10.1.1.1"), List.of("203.0.113.9")).getHostAddress()).isEqualTo("10.1.1.1");
  }

  @Test
  void spoofedForwardedForFromAnUntrustedPeerIsIgnored() {
    assertThat(resolve("198.51.100.7", "203.0.113.9")).isEqualTo("198.51.100.7");
  }

  @Test
  void aTrustedPeerForwardsTheRightMostUntrustedEntry() {
    // The client wrote "1.1.1.1" itself; our proxy appended what it saw.
    assertThat(resolve("10.0.0.2", "1.1.1.1, 203.0.113.9")).isEqualTo("203.0.113.9");
  }

  @Test
  void chainsOfTrustedProxiesAreSkipped() {
    assertThat(resolve("10.0.0.2", "1.1.1.1, 203.0.113.9, 10.0.0.5, 10.0.0.3")).isEqualTo("203.0.113.9");
  }

  @Test
  void multipleHeadersAreReadAsOneListInOrder() {
    assertThat(resolve("10.0.0.2", "1.1.1.1", "203.0.113.9,10.0.0.5")).isEqualTo("203.0.113.9");
    assertThat(resolve("10.0.0.2", "203.0.113.9", "10.0.0.5")).isEqualTo("203.0.113.9");
  }

  @Test
  void portsBracketsAndWhitespaceAreUnderstood() {
    assertThat(resolve("10.0.0.2", "  203.0.113.9:4711  ")).isEqualTo("203.0.113.9");
    assertThat(resolve("10.0.0.2", "[2001:db8::7]:443")).isEqualTo("2001:db8:0:0:0:0:0:7");
    assertThat(resolve("10.0.0.2", "\"[2001:db8::8]\"")).isEqualTo("2001:db8:0:0:0:0:0:8");
    assertThat(resolve("fd00::1", "2001:db8::9")).isEqualTo("2001:db8:0:0:0:0:0:9");
  }

  @ParameterizedTest
  @ValueSource(strings = {"unknown", "evil.example", "203.0.113.9:99999", "[2001:db8::1", "1.2.3.4.5", "_hidden"})
  void garbageNextToATrustedProxyFallsBackToThePeer(String garbage) {
    assertThat(resolve("10.0.0.2", "203.0.113.9, " + garbage)).isEqualTo("10.0.0.2");
  }

  @Test
  void garbageLeftOfTheClientEntryDoesNotMatter() {
    assertThat(resolve("10.0.0.2", "garbage, 203.0.113.9")).isEqualTo("203.0.113.9");
  }

  @Test
  void onlyTrustedHopsMeansTheLeftMostOfThemIsTheClient() {
    assertThat(resolve("10.0.0.2", "10.0.0.7, 10.0.0.5")).isEqualTo("10.0.0.7");
  }

  @Test
  void emptyHeadersLeaveThePeer() {
    assertThat(resolve("10.0.0.2")).isEqualTo("10.0.0.2");
    assertThat(resolve("10.0.0.2", " , ")).isEqualTo("10.0.0.2");
  }

  @Test
  void aHugeHeaderIsBoundedToItsRightMostEntries() {
    String many = String.join(",", Collections.nCopies(10_000, "10.0.0.9"));
    assertThat(resolve("10.0.0.2", "203.0.113.9, " + many)).isEqualTo("10.0.0.9");
  }
}
