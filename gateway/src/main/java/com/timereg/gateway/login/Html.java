package com.timereg.gateway.login;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Base64;

/** Escaping for text and attribute values in the gateway's own pages. */
public final class Html {
  private Html() {}

  public static String escape(String s) {
    if (s == null) {
      return "";
    }
    StringBuilder sb = new StringBuilder(s.length() + 16);
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      switch (c) {
        case '&': sb.append("&amp;"); break;
        case '<': sb.append("&lt;"); break;
        case '>': sb.append("&gt;"); break;
        case '"': sb.append("&quot;"); break;
        case '\'': sb.append("&#39;"); break;
        default: sb.append(c);
      }
    }
    return sb.toString();
  }

  /** A complete page: no external assets, readable without CSS or JavaScript. */
  public static String page(String title, String body) {
    return "<!doctype html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">"
        + "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">"
        + "<title>" + escape(title) + "</title><style>" + STYLE + "</style></head>"
        + "<body><main>" + body + "</main></body></html>";
  }

  private static final String STYLE =
      "body{font-family:system-ui,sans-serif;background:#f4f5f7;color:#1d2430;margin:0}"
      + "main{max-width:24rem;margin:4rem auto;background:#fff;padding:2rem;border-radius:.5rem;"
      + "box-shadow:0 1px 3px rgba(0,0,0,.15)}"
      + "h1{font-size:1.4rem;margin-top:0}label{display:block;margin:1rem 0 .25rem;font-weight:600}"
      + "input{width:100%;box-sizing:border-box;padding:.6rem;font-size:1rem;border:1px solid #8a94a6;border-radius:.25rem}"
      + "button,.button{display:inline-block;margin-top:1.5rem;padding:.6rem 1.2rem;font-size:1rem;border:0;"
      + "border-radius:.25rem;background:#1f5fbf;color:#fff;text-decoration:none;cursor:pointer}"
      + "button:focus,input:focus,.button:focus{outline:3px solid #ffbf47}"
      + ".error{background:#fde8e8;border-left:4px solid #c92a2a;padding:.6rem;margin:1rem 0}"
      + ".info{background:#e7f1fd;border-left:4px solid #1f5fbf;padding:.6rem;margin:1rem 0}"
      + "ul.reasons{padding-left:1.2rem}"
      + ".hint{margin:0 0 .4rem;font-size:.9rem;color:#4a5568}meter{width:100%;margin-top:.5rem}";

  /**
   * The style-src source that lets {@link #page}'s own style block apply, and no other inline style: with
   * 'unsafe-inline', markup that ever slipped into a page could restyle it (hide the real form, lay another
   * over it). So the pages use classes from this block, never a style attribute.
   */
  public static final String STYLE_SOURCE = cspHash(STYLE);

  /** The Content-Security-Policy source ({@code 'sha256-...'}) that allows exactly this inline script or style. */
  public static String cspHash(String text) {
    try {
      byte[] digest = MessageDigest.getInstance("SHA-256").digest(text.getBytes(StandardCharsets.UTF_8));
      return "'sha256-" + Base64.getEncoder().encodeToString(digest) + "'";
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("every JDK has SHA-256", e);
    }
  }
}
