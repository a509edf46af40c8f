package com.timereg.gateway.sso;

import com.timereg.gateway.login.Html;

/** The page a refused Microsoft sign-in ends on: what happened, in words for a person, and the way back. */
final class SsoPages {
  private SsoPages() {}

  static String refused(SsoRefusal refusal) {
    String body = "<h1>Not signed in</h1>"
        + "<p class=\"error\" role=\"alert\" id=\"sso-error\">" + Html.escape(refusal.message()) + "</p>"
        + "<p><a class=\"button\" href=\"/login\">Back to sign-in</a></p>";
    return Html.page("Not signed in", body);
  }
}
