package com.timereg.gateway.login;

/**
 * The server-rendered login form: labels, autocomplete hints, works without JavaScript. Its second
 * button sends the login name to home-realm discovery ({@value #IDENTIFY_PATH}), which goes on to
 * Microsoft sign-in when the name's organisation uses it.
 */
public final class LoginPage {
  /** Where "Sign in with Microsoft" posts the form (the sso package serves it). */
  public static final String IDENTIFY_PATH = "/login/identify";
  /** Starts Microsoft sign-in for a login name (the sso package serves it). */
  public static final String SSO_START_PATH = "/sso/start";

  private LoginPage() {}

  /** The link that starts Microsoft sign-in for a login name and comes back to {@code next}. */
  public static String ssoStartHref(String loginName, String next) {
    return SSO_START_PATH + "?login=" + java.net.URLEncoder.encode(loginName == null ? "" : loginName, java.nio.charset.StandardCharsets.UTF_8)
        + "&next=" + java.net.URLEncoder.encode(next, java.nio.charset.StandardCharsets.UTF_8);
  }

  /** The page a browser gets when its sign-out was refused: what happened and the way back. */
  static String notSignedOut(String message) {
    return Html.page("Not signed out", "<h1>Not signed out</h1><p class=\"error\" role=\"alert\">"
        + Html.escape(message) + "</p><p><a class=\"button\" href=\"/\">Continue</a></p>");
  }

  /** What a browser that opened {@code GET /logout} gets: the sign-out a link cannot do, as a button. */
  static String signOut(String csrfToken) {
    return Html.page("Sign out", "<h1>Sign out</h1><p>Signing out takes this button: a link cannot sign you out.</p>"
        + "<form method=\"post\" action=\"/logout\"><input type=\"hidden\" name=\"" + Csrf.FIELD + "\" value=\""
        + Html.escape(csrfToken) + "\"><button type=\"submit\">Sign out</button></form>"
        + "<p><a href=\"/\">Stay signed in</a></p>");
  }

  /** What a browser that opened one of the gateway's form or app addresses ({@code /auth/token}, ...) gets. */
  static String notAPage() {
    return Html.page("Not a page", "<h1>Not a page</h1><p class=\"info\" role=\"status\">This address takes "
        + "the site's forms and apps, not a browser's visit.</p><p><a class=\"button\" href=\"/\">Continue</a></p>");
  }

  public static String render(String csrfToken, String next, String loginName, String error, String info) {
    return render(csrfToken, next, loginName, error, info, null);
  }

  /**
   * @param ssoHref where a "Sign in with Microsoft" link after the error message leads, or null for none
   */
  public static String render(String csrfToken, String next, String loginName, String error, String info, String ssoHref) {
    StringBuilder b = new StringBuilder();
    b.append("<h1>Sign in</h1>");
    if (info != null) {
      b.append("<p class=\"info\" role=\"status\">").append(Html.escape(info)).append("</p>");
    }
    if (error != null) {
      b.append("<p class=\"error\" role=\"alert\" id=\"login-error\">").append(Html.escape(error));
      if (ssoHref != null) {
        b.append(" <a id=\"sso-link\" href=\"").append(Html.escape(ssoHref)).append("\">Sign in with Microsoft</a>");
      }
      b.append("</p>");
    }
    b.append("<form method=\"post\" action=\"/login\"")
        .append(error != null ? " aria-describedby=\"login-error\"" : "").append(">")
        .append("<input type=\"hidden\" name=\"").append(Csrf.FIELD).append("\" value=\"").append(Html.escape(csrfToken)).append("\">")
        .append("<input type=\"hidden\" name=\"next\" value=\"").append(Html.escape(next)).append("\">")
        .append("<label for=\"username\">Login name</label>")
        .append("<input id=\"username\" name=\"username\" type=\"text\" autocomplete=\"username\" required")
        .append(" autocapitalize=\"none\" spellcheck=\"false\" maxlength=\"254\" value=\"")
        .append(Html.escape(loginName == null ? "" : loginName)).append("\"")
        .append(loginName == null || loginName.isEmpty() ? " autofocus" : "").append(">")
        .append("<label for=\"password\">Password</label>")
        .append("<input id=\"password\" name=\"password\" type=\"password\" autocomplete=\"current-password\" required")
        .append(loginName != null && !loginName.isEmpty() ? " autofocus" : "").append(">")
        .append("<button type=\"submit\">Sign in</button>")
        // formnovalidate: the password is not needed to find out where the organisation signs in.
        .append(" <button type=\"submit\" id=\"sso-button\" formaction=\"").append(IDENTIFY_PATH)
        .append("\" formnovalidate>Sign in with Microsoft</button>")
        .append("</form>");
    return Html.page("Sign in", b.toString());
  }
}
