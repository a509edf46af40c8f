package com.timereg.gateway.admin;

import io.vertx.core.http.HttpMethod;
import io.vertx.ext.web.Route;
import io.vertx.ext.web.Router;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * The methods the admin router's routes take on a path, for the {@code Allow} header of a 405 (RFC 9110 15.5.6):
 * a PUT to {@code /admin/api/blocks} or a POST to {@code /admin/api/explain/…} exists as a path, so "No such route"
 * (404) would send the person or script looking for a typo in the path instead of the method. Read from the router
 * itself, not listed by hand, so a route added later is counted without anyone remembering this class.
 */
final class AllowedMethods {
  /** The order the Allow header names them in. HEAD is answered wherever GET is (AdminRouter reroutes it). */
  private static final List<HttpMethod> ORDER = List.of(HttpMethod.GET, HttpMethod.HEAD, HttpMethod.POST,
      HttpMethod.PUT, HttpMethod.PATCH, HttpMethod.DELETE, HttpMethod.OPTIONS);

  private record Entry(Pattern path, Set<HttpMethod> methods) {}

  private final Router router;
  // Built at the first request that needs it: every route is mounted by then, and routes never change afterwards.
  private volatile List<Entry> table;

  AllowedMethods(Router router) {
    this.router = router;
  }

  /** The Allow header's value for {@code path} (a normalised request path), or null when no route takes it. */
  String allowFor(String path) {
    Set<HttpMethod> methods = new LinkedHashSet<>();
    for (Entry e : table()) {
      if (e.path().matcher(path).matches()) {
        methods.addAll(e.methods());
      }
    }
    if (methods.contains(HttpMethod.GET)) {
      methods.add(HttpMethod.HEAD);
    }
    List<String> names = new ArrayList<>();
    for (HttpMethod m : ORDER) {
      if (methods.contains(m)) {
        names.add(m.name());
      }
    }
    return names.isEmpty() ? null : String.join(", ", names);
  }

  /** The message of a 405: the person sees which methods the path takes. */
  static String message(HttpMethod refused, String allow) {
    return refused.name() + " is not allowed here; this path takes " + allow + ".";
  }

  private List<Entry> table() {
    List<Entry> t = table;
    if (t == null) {
      t = new ArrayList<>();
      for (Route r : router.getRoutes()) {
        // Routes without a path or without methods (access, CSRF, body, HEAD rerouting, 404s) are no operation.
        if (r.getPath() != null && r.methods() != null && !r.methods().isEmpty()) {
          t.add(new Entry(pattern(r.getPath()), Set.copyOf(r.methods())));
        }
      }
      table = t = List.copyOf(t);
    }
    return t;
  }

  /** A route path as Vert.x matches it: a ":name" segment is any one segment, and a trailing slash is allowed. */
  static Pattern pattern(String routePath) {
    StringBuilder regex = new StringBuilder();
    for (String segment : routePath.split("/")) {
      if (!segment.isEmpty()) {
        regex.append('/').append(segment.startsWith(":") ? "[^/]+" : Pattern.quote(segment));
      }
    }
    return Pattern.compile(regex + "/?");
  }
}
