package com.timereg.gateway.login;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Where a login sends the browser: the page it came from, never another site. */
class SafeRedirectTest {
  /**
   * A page whose query holds an encoded space or percent sign (a search, a name, "50%") is still a page on
   * this site: after login the user comes back to it, not to the home page.
   */
  @ParameterizedTest
  @ValueSource(strings = {"/reports?name=Ann%20Lee", "/search?q=50%25", "/search?q=a%2Bb%20c&page=2",
      "/search?q=%5C%5Cserver%5Cshare", "/search?q=100%25%20done#top", "/api/timesheets?week=3", "/%3F%2F%2Fquery-mark-in-path"})
  void aPathOnThisSiteIsKeptWithItsEncodedQuery(String next) {
    assertThat(SafeRedirect.of(next)).isEqualTo(next);
  }

  @org.junit.jupiter.api.Test
  void lettersBeyondAsciiArePercentEncodedForTheLocationHeader() {
    assertThat(SafeRedirect.of("/projects/\u0141\u00f3d\u017a?week=3")).isEqualTo("/projects/%C5%81%C3%B3d%C5%BA?week=3");
  }

  @ParameterizedTest
  @ValueSource(strings = {"//evil.example", "https://evil.example", "/\\evil.example", "/%2F%2Fevil.example",
      "%2F%2Fevil.example", "/%5Cevil.example", "/%252F%252Fevil.example", "/%25252F%25252Fevil.example", "/\t/evil.example",
      "/%09/evil.example", "/%2F%5Cevil.example", "javascript:alert(1)", "https:evil.example", "/ok?x=1\r\nSet-Cookie: a=b",
      "/%0D%0ASet-Cookie:a=b?q=1", "/a b?c=d"})
  void anythingThatCouldLeaveTheSiteSendsHome(String next) {
    assertThat(SafeRedirect.of(next)).isEqualTo(SafeRedirect.HOME);
  }
  /**
   * A path with a literal percent sign, encoded once as %25, is a page like any other. Its decoded layer holds a "%"
   * that starts no escape, which the strict decoder refused: the user landed on / instead of their page.
   */
  @ParameterizedTest
  @ValueSource(strings = {"/reports/50%25-done", "/files/100%25", "/wiki/%25zz?x=1", "/discount/%25%2Foff"})
  void aPathWithAnEncodedPercentSignIsKept(String next) {
    assertThat(SafeRedirect.of(next)).isEqualTo(next);
  }

  /** Looked through leniently, a "//" behind a percent sign that starts no escape is still found. */
  @ParameterizedTest
  @ValueSource(strings = {"/%252F%252Fevil.example%25zz", "/%25zz/..%2F%252F%252Fevil.example", "/%252F%252Fevil.example%25",
      "/ok%zz", "/ok%", "/%5C%25evil.example"})
  void aBrokenEscapeHidesNoOtherSite(String next) {
    assertThat(SafeRedirect.of(next)).isEqualTo(SafeRedirect.HOME);
  }
  /**
   * A path whose dot segments resolve to "//host" sent the browser to the path "//evil.example" of this site, which a
   * backend's trailing-slash redirect answers with "Location: //evil.example/", another site.
   */
  @ParameterizedTest
  @ValueSource(strings = {"/.//evil.example", "/a/..//evil.example", "/..//evil.example", "/a/%2e%2e//evil.example",
      "/a/..%2F%2Fevil.example", "/a/.%2E/%2F/evil.example", "/%25zz/..%2F%252F%252Fevil.example", "/a/b/../..//evil.example?x=1"})
  void aPathWhoseDotSegmentsResolveToAnotherHostIsRefused(String next) {
    assertThat(SafeRedirect.of(next)).isEqualTo(SafeRedirect.HOME);
  }

  /** Dot segments that stay on this site are left to the browser: the address goes out as it came. */
  @ParameterizedTest
  @ValueSource(strings = {"/projects/./acme/../beta", "/a/../b/", "/..", "/./reports?week=3"})
  void dotSegmentsThatStayOnThisSiteAreKept(String next) {
    assertThat(SafeRedirect.of(next)).isEqualTo(next);
  }
}
