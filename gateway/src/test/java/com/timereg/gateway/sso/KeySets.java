package com.timereg.gateway.sso;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import no.nav.security.mock.oauth2.http.OAuth2HttpRequest;
import no.nav.security.mock.oauth2.http.OAuth2HttpResponse;
import no.nav.security.mock.oauth2.http.Route;

/**
 * A route of the test provider that answers a tenant's key set (jwks_uri) with a set answer (a
 * provider publishing no keys, or failing to serve them); other tenants get the provider's keys.
 */
final class KeySets implements Route {
  private final Map<String, OAuth2HttpResponse> answers = new ConcurrentHashMap<>();
  /** The bodies served, as "tenant body", in the order asked for. */
  final java.util.concurrent.BlockingQueue<String> served = new java.util.concurrent.LinkedBlockingQueue<>();

  void answer(String tenant, int status, String contentType, String body) {
    answers.put(tenant, new OAuth2HttpResponse(okhttp3.Headers.of("Content-Type", contentType), status, body, null));
  }

  /** A key set the library fetches again every second (Cache-Control: max-age=1). */
  void answerRefreshedEverySecond(String tenant, String body) {
    answers.put(tenant, new OAuth2HttpResponse(okhttp3.Headers.of("Content-Type", "application/json",
        "Cache-Control", "max-age=1"), 200, body, null));
  }

  @Override
  public boolean match(OAuth2HttpRequest request) {
    return "GET".equals(request.getMethod()) && answers.containsKey(tenantOf(request));
  }

  @Override
  public OAuth2HttpResponse invoke(OAuth2HttpRequest request) {
    OAuth2HttpResponse answer = answers.get(tenantOf(request));
    served.add(tenantOf(request) + " " + answer.getBody());
    return answer;
  }

  private static String tenantOf(OAuth2HttpRequest request) {
    String path = request.getUrl().encodedPath();
    return path.endsWith("/jwks") ? path.substring(1, path.length() - "/jwks".length()) : "";
  }
}
