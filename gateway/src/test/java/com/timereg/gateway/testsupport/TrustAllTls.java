package com.timereg.gateway.testsupport;

import java.security.GeneralSecurityException;
import java.security.SecureRandom;
import java.security.cert.X509Certificate;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManager;
import javax.net.ssl.X509TrustManager;

/** A JDK TLS client context that accepts any server certificate: tests reach self-signed listeners. */
public final class TrustAllTls {
  private TrustAllTls() {}

  public static SSLContext context() throws GeneralSecurityException {
    return context(null);
  }

  /** The same, presenting the client certificates of {@code keys} (null: none). */
  public static SSLContext context(javax.net.ssl.KeyManager[] keys) throws GeneralSecurityException {
    SSLContext ctx = SSLContext.getInstance("TLS");
    ctx.init(keys, new TrustManager[] {new X509TrustManager() {
      @Override
      public void checkClientTrusted(X509Certificate[] chain, String authType) {}

      @Override
      public void checkServerTrusted(X509Certificate[] chain, String authType) {}

      @Override
      public X509Certificate[] getAcceptedIssuers() {
        return new X509Certificate[0];
      }
    }}, new SecureRandom());
    return ctx;
  }
}
