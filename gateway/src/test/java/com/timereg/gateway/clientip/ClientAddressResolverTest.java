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
  void anIpv6EntryWithAZoneIdIsTheAddressWithoutIt() {
    // A proxy prints a link-local peer as the socket API names it, with its interface; the socket peer's zone is
    // dropped too (IpLiterals.parsePeer). Unreadable, the proxy itself was the client, and a link-local guesser
    // behind it blocked everyone it forwards.
    assertThat(resolve("10.0.0.2", "fe80::7%eth0")).isEqualTo("fe80:0:0:0:0:0:0:7");
    assertThat(resolve("10.0.0.2", "[fe80::7%2]:443")).isEqualTo("fe80:0:0:0:0:0:0:7");
    assertThat(resolve("10.0.0.2", "203.0.113.9, fd00::3%eth1")).as("a trusted hop with a zone").isEqualTo("203.0.113.9");
    assertThat(resolve("10.0.0.2", "203.0.113.9, 1.2.3.4%eth0")).as("IPv4 has no zones").isEqualTo("10.0.0.2");
    assertThat(resolve("10.0.0.2", "203.0.113.9, fe80::7%")).as("an empty zone").isEqualTo("10.0.0.2");
    assertThat(resolve("10.0.0.2", "203.0.113.9, fe80::7%eth0 x")).isEqualTo("10.0.0.2");
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

  @Test
  void ipv4ClientsTranslatedIntoTheNat64PrefixAreTheirOwnIpv4AddressesNotOneShared64() {
    // Behind a NAT64/SIIT-DC translator (RFC 6052's well-known prefix 64:ff9b::/96) every IPv4 client arrives
    // as 64:ff9b::a.b.c.d. Read as IPv6, all of them would fall in one /64, one client key: ten typos from
    // anyone would block every IPv4 user, and the same client seen over IPv4 would get a second budget.
    ClientKeys keys = new ClientKeys(ClientKeyPolicy.DEFAULTS);
    InetAddress a = resolver.resolve(ip("64:ff9b::c000:221"), List.of());
    InetAddress b = resolver.resolve(ip("64:ff9b::cb00:7109"), List.of());
    assertThat(a.getHostAddress()).isEqualTo("192.0.2.33");
    assertThat(resolve("10.0.0.2", "64:ff9b::cb00:7109")).isEqualTo("203.0.113.9");
    assertThat(keys.clientKey(a)).isNotEqualTo(keys.clientKey(b))
        .isEqualTo(keys.clientKey(ip("192.0.2.33")));
  }

  @Test
  void aTrustedProxyMayWriteIpv6WithATrailingDottedQuad() {
    // RFC 4291 2.2's mixed notation; nginx and HAProxy print NAT64 peers this way (64:ff9b::192.0.2.33).
    // Unreadable, the trusted proxy itself became the client: every user behind it shared one budget.
    assertThat(resolve("10.0.0.2", "64:ff9b::203.0.113.9")).isEqualTo("203.0.113.9");
    assertThat(resolve("10.0.0.2", "[64:ff9b::203.0.113.9]:443")).isEqualTo("203.0.113.9");
    assertThat(resolve("10.0.0.2", "2001:db8::192.0.2.1")).isEqualTo("2001:db8:0:0:0:0:c000:201");
    assertThat(resolve("10.0.0.2", "2001:db8:1:2:3:4:192.0.2.1")).isEqualTo("2001:db8:1:2:3:4:c000:201");
    assertThat(resolve("10.0.0.2", "::FFFF:203.0.113.9")).isEqualTo("203.0.113.9");
  }

  @ParameterizedTest
  @ValueSource(strings = {"2001:db8::192.0.2.010", "2001:db8::192.0.2", "2001:db8::192.0.2.256", "1:2:3:4:5:6:7:1.2.3.4",
      "2001:db8::1.2.3.4:5", "2001:db8::1.2.3.4::", "2001:db8::1.2.3.4.5", "2001:db8::.1.2.3"})
  void aMalformedTrailingDottedQuadStaysUnreadable(String garbage) {
    assertThat(resolve("10.0.0.2", "203.0.113.9, " + garbage)).isEqualTo("10.0.0.2");
  }
}
