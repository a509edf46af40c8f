package com.timereg.gateway.login;

/** The server-rendered login form: labels, autocomplete hints, works without JavaScript. */
final class LoginPage {
  private LoginPage() {}

  static String render(String csrfToken, String next, String loginName, String error, String info) {
    StringBuilder b = new StringBuilder();
    b.append("<h1>Sign in</h1>");
    if (info != null) {
      b.append("<p class=\"info\" role=\"status\">").append(Html.escape(info)).append("</p>");
    }
    if (error != null) {
      b.append("<p class=\"error\" role=\"alert\" id=\"login-error\">").append(Html.escape(error)).append("</p>");
    }
    b.append("<form method=\"post\" action=\"/login\"")
        .append(error != null ? " aria-describedby=\"login-error\"" : "").append(">")
        .append("<input type=\"hidden\" name=\"").append(Csrf.FIELD).append("\" value=\"").append(Html.escape(csrfToken)).append("\">")
        .append("<input type=\"hidden\" name=\"next\" value=\"").append(Html.escape(next)).append("\">")
        .append("<label for=\"username\">Login name or e-mail</label>")
        .append("<input id=\"username\" name=\"username\" type=\"text\" autocomplete=\"username\" required")
        .append(" autocapitalize=\"none\" spellcheck=\"false\" maxlength=\"254\" value=\"")
        .append(Html.escape(loginName == null ? "" : loginName)).append("\"")
        .append(loginName == null || loginName.isEmpty() ? " autofocus" : "").append(">")
        .append("<label for=\"password\">Password</label>")
        .append("<input id=\"password\" name=\"password\" type=\"password\" autocomplete=\"current-password\" required")
        .append(loginName != null && !loginName.isEmpty() ? " autofocus" : "").append(">")
        .append("<button type=\"submit\">Sign in</button>")
        .append("</form>");
    return Html.page("Sign in", b.toString());
  }
}
