package com.timereg.gateway.sso;

import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import no.nav.security.mock.oauth2.http.OAuth2HttpRequest;
import no.nav.security.mock.oauth2.http.OAuth2HttpResponse;
import no.nav.security.mock.oauth2.http.Route;

/**
 * A route of the test provider that answers its next token requests with queued answers (a
 * provider's bad day: an error page, a broken body); with nothing queued, the provider answers.
 */
final class TokenAnswers implements Route {
  private final Queue<OAuth2HttpResponse> queued = new ConcurrentLinkedQueue<>();

  void enqueue(int status, String contentType, String body) {
    queued.add(new OAuth2HttpResponse(okhttp3.Headers.of("Content-Type", contentType), status, body, null));
  }

  @Override
  public boolean match(OAuth2HttpRequest request) {
    return "POST".equals(request.getMethod()) && request.getUrl().encodedPath().endsWith("/token") && !queued.isEmpty();
  }

  @Override
  public OAuth2HttpResponse invoke(OAuth2HttpRequest request) {
    return queued.remove();
  }
}
