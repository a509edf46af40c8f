package com.timereg.gateway.login;

import io.vertx.ext.web.RoutingContext;
import java.util.List;

/**
 * The password-change form and its success page. Works without JavaScript; with it, a small inline
 * script (allowed by its hash in the Content-Security-Policy, no external assets) shows a strength
 * meter fed by {@code POST /password/check} while the user types.
 */
final class PasswordPage {
  private PasswordPage() {}

  /**
   * Debounced, so a typist sends a few checks a second at most; stale answers are dropped. A check that is refused
   * (too many checks, a password too long to check) or fails clears the verdict, with the server's reason when it
   * gave one: the verdict on an earlier value must not stay beside a password nobody checked.
   */
  static final String METER_SCRIPT = "(function(){"
      + "var n=document.getElementById('new_password'),box=document.getElementById('meter'),"
      + "m=document.getElementById('strength'),t=document.getElementById('strength-text'),timer,seq=0,"
      + "words=['Very weak','Weak','Fair','Strong','Very strong'];"
      + "if(!window.fetch||!n||!box)return;box.hidden=false;"
      + "n.addEventListener('input',function(){clearTimeout(timer);timer=setTimeout(check,300);});"
      + "function show(s,v,text){if(s!==seq)return;m.value=v;t.textContent=text;}"
      + "function check(){var v=n.value,s=++seq;if(!v){show(s,0,'');return;}"
      + "fetch('/password/check',{method:'POST',credentials:'same-origin',"
      + "headers:{'Content-Type':'application/json'},body:JSON.stringify({new_password:v})})"
      + ".then(function(r){return r.json().catch(function(){return {};}).then(function(j){"
      + "if(!r.ok){show(s,0,typeof j.message==='string'?j.message:'');return;}"
      + "show(s,j.score,'Strength: '+words[j.score]+'. '+(j.meets_policy?'Accepted.':"
      + "'Not accepted: '+j.reasons.map(function(x){return x.message;}).join('; ')+'.'));});})"
      + ".catch(function(){show(s,0,'');});}"
      + "})();";

  private static final String CSP = "default-src 'none'; style-src " + Html.STYLE_SOURCE + "; script-src "
      + Html.cspHash(METER_SCRIPT) + "; connect-src 'self'; form-action 'self'; frame-ancestors 'none'";

  /**
   * @param minLength the customer's minimum, for the hint (0 when unknown)
   * @param errors shown above the form, each a sentence or a reason
   */
  static String form(String csrfToken, String loginName, int minLength, String error, List<String> reasons) {
    StringBuilder b = new StringBuilder();
    b.append("<h1>Change password</h1>");
    b.append("<p>Signed in as <strong>").append(Html.escape(loginName)).append("</strong>.</p>");
    boolean failed = error != null;
    if (failed) {
      b.append("<div class=\"error\" role=\"alert\" id=\"password-error\"><p>").append(Html.escape(error)).append("</p>");
      if (!reasons.isEmpty()) {
        b.append("<ul class=\"reasons\">");
        reasons.forEach(r -> b.append("<li>").append(Html.escape(capitalised(r))).append("</li>"));
        b.append("</ul>");
      }
      b.append("</div>");
    }
    String hint = (minLength > 0 ? "At least " + minLength + " characters. " : "")
        + "A long passphrase is good; passwords known from data breaches are not accepted.";
    b.append("<form method=\"post\" action=\"/password\"")
        .append(failed ? " aria-describedby=\"password-error\"" : "").append(">")
        .append(hidden(Csrf.FIELD, csrfToken))
        // For password managers: which account the new password belongs to.
        .append("<input type=\"text\" name=\"username\" autocomplete=\"username\" value=\"")
        .append(Html.escape(loginName)).append("\" readonly hidden>")
        .append("<label for=\"current_password\">Current password</label>")
        .append("<input id=\"current_password\" name=\"current_password\" type=\"password\" ")
        .append("autocomplete=\"current-password\" required autofocus>")
        .append("<label for=\"new_password\">New password</label>")
        .append("<p id=\"new-hint\" class=\"hint\">").append(Html.escape(hint)).append("</p>")
        .append("<input id=\"new_password\" name=\"new_password\" type=\"password\" autocomplete=\"new-password\" ")
        .append("required aria-describedby=\"new-hint strength-text\">")
        .append("<div id=\"meter\" hidden><meter id=\"strength\" min=\"0\" max=\"4\" ")
        .append("low=\"2\" high=\"3\" optimum=\"4\" ")
        .append("value=\"0\" aria-label=\"Strength of the new password\"></meter>")
        .append("<p id=\"strength-text\" role=\"status\" aria-live=\"polite\"></p></div>")
        .append("<label for=\"confirm_password\">Confirm new password</label>")
        .append("<input id=\"confirm_password\" name=\"confirm_password\" type=\"password\" ")
        .append("autocomplete=\"new-password\" required>")
        .append("<button type=\"submit\">Change password</button>")
        .append("</form>")
        .append("<p><a href=\"/\">Cancel</a></p>")
        .append("<script>").append(METER_SCRIPT).append("</script>");
    return Html.page("Change password", b.toString());
  }

  /** For accounts that have no password here, or when the page cannot be shown. */
  static String message(String title, String text) {
    return Html.page(title, "<h1>" + Html.escape(title) + "</h1><p class=\"info\" role=\"status\">"
        + Html.escape(text) + "</p><a class=\"button\" href=\"/\">Continue</a>");
  }

  static String changed() {
    return message("Password changed", "Your password has been changed. You stay signed in here; "
        + "your other sessions have been signed out.");
  }

  static void send(RoutingContext ctx, int status, String page) {
    ctx.response().setStatusCode(status)
        .putHeader("Content-Type", "text/html; charset=utf-8")
        .putHeader("Cache-Control", "no-store")
        .putHeader("Content-Security-Policy", CSP)
        .putHeader("X-Frame-Options", "DENY")
        .putHeader("X-Content-Type-Options", "nosniff")
        .putHeader("Referrer-Policy", LoginRoutes.REFERRER_POLICY)
        .end(page);
  }

  private static String hidden(String name, String value) {
    return "<input type=\"hidden\" name=\"" + name + "\" value=\"" + Html.escape(value) + "\">";
  }

  private static String capitalised(String s) {
    return s.isEmpty() ? s : Character.toUpperCase(s.charAt(0)) + s.substring(1);
  }
}
