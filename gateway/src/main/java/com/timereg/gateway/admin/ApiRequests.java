package com.timereg.gateway.admin;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonFactoryBuilder;
import com.fasterxml.jackson.core.JsonParseException;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.core.json.JsonReadFeature;
import io.vertx.core.json.DecodeException;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RequestBody;
import io.vertx.ext.web.RoutingContext;
import java.io.IOException;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/** Reading query parameters and JSON bodies of API requests; every mistake is a {@link ApiResponses.BadRequest}. */
final class ApiRequests {
  private ApiRequests() {}

  /**
   * A whole number in plain ASCII digits (a minus sign allowed) within {@code min..max}. Not
   * {@link Integer#parseInt} alone, which takes a plus sign ({@code +5}) and any script's digits (full-width
   * {@code ５}, Arabic-Indic {@code ٥}): what a log, a proxy's filter or a person reads as text would then be
   * another number to the API.
   */
  static int integer(RoutingContext ctx, String name, int def, int min, int max) {
    String v = single(ctx, name);
    if (v == null || v.isEmpty()) {
      return def;
    }
    int start = v.charAt(0) == '-' ? 1 : 0;
    boolean digits = v.length() > start;
    for (int i = start; i < v.length(); i++) {
      digits &= v.charAt(i) >= '0' && v.charAt(i) <= '9';
    }
    if (!digits) {
      throw new ApiResponses.BadRequest(name + " must be a whole number in the digits 0-9, was '" + abbreviate(v) + "'");
    }
    // More digits than an int holds is out of range whatever they say (leading zeros aside).
    String magnitude = v.substring(start).replaceFirst("^0+(?=.)", "");
    long n = magnitude.length() > 10 ? Long.MAX_VALUE : Long.parseLong(magnitude);
    n = start == 1 ? -n : n;
    if (n < min || n > max) {
      throw new ApiResponses.BadRequest(name + " must be between " + min + " and " + max + ", was " + abbreviate(v));
    }
    return (int) n;
  }

  static boolean bool(RoutingContext ctx, String name, boolean def) {
    String v = single(ctx, name);
    if (v == null || v.isEmpty()) {
      return def;
    }
    return switch (v.toLowerCase(Locale.ROOT)) {
      case "true", "1", "yes" -> true;
      case "false", "0", "no" -> false;
      default -> throw new ApiResponses.BadRequest(name + " must be true or false, was '" + abbreviate(v) + "'");
    };
  }

  /** One of the keys of {@code choices} (case-insensitive), or the default when absent. */
  static <T> T choice(RoutingContext ctx, String name, Map<String, T> choices, T def) {
    String v = single(ctx, name);
    if (v == null || v.isEmpty()) {
      return def;
    }
    T t = choices.get(v.toLowerCase(Locale.ROOT));
    if (t == null) {
      throw new ApiResponses.BadRequest(name + " must be one of " + choices.keySet().stream().sorted().toList()
          + ", was '" + abbreviate(v) + "'");
    }
    return t;
  }

  static String string(RoutingContext ctx, String name) {
    return single(ctx, name);
  }

  private static String single(RoutingContext ctx, String name) {
    List<String> all = ctx.queryParam(name);
    if (all.size() > 1) {
      throw new ApiResponses.BadRequest("give " + name + " once, not " + all.size() + " times");
    }
    return all.isEmpty() ? null : all.get(0).strip();
  }

  /** The body as a JSON object; an empty body is an empty object when {@code optional}. */
  static JsonObject body(RoutingContext ctx, boolean optional) {
    RequestBody body = ctx.body();
    if (body == null || body.isEmpty()) {
      if (optional) {
        return new JsonObject();
      }
      throw new ApiResponses.BadRequest("the request needs a JSON object as its body");
    }
    Object parsed = null;
    try {
      parsed = io.vertx.core.json.Json.decodeValue(body.buffer());
    } catch (DecodeException e) {
      // falls through to the message below, without the parser's internals
    }
    if (!(parsed instanceof JsonObject o)) {
      throw new ApiResponses.BadRequest("the request body is not a JSON object");
    }
    String twice = fieldGivenTwice(body.buffer().getBytes());
    if (twice != null) {
      throw new ApiResponses.BadRequest("the request body gives the field '" + abbreviate(twice)
          + "' more than once; give each field once");
    }
    return o;
  }

  // As Vert.x reads bodies (comments allowed), plus the duplicate check it leaves out.
  private static final JsonFactory STRICT = new JsonFactoryBuilder()
      .enable(JsonReadFeature.ALLOW_JAVA_COMMENTS).enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION).build();

  /**
   * The first field an object of the body names twice, or null. The JSON parser keeps the last value, so
   * {@code {"target":"192.0.2.10","target":"10.0.0.0/8"}} blocked the /8 while whoever reads the body from its start (a
   * person in a log or a review, a proxy's filter) sees the address: an edit must mean one thing.
   */
  static String fieldGivenTwice(byte[] json) {
    try (JsonParser p = STRICT.createParser(json)) {
      while (p.nextToken() != null) {
        // only reading: the factory's duplicate detection throws at the second name
      }
      return null;
    } catch (JsonParseException e) {
      if (!String.valueOf(e.getOriginalMessage()).startsWith("Duplicate field")) {
        return null; // Vert.x read the body: nothing else here is this check's to refuse
      }
      JsonParser p = e.getProcessor();
      String name = p == null ? null : p.getParsingContext().getCurrentName();
      return name == null ? "?" : name;
    } catch (IOException e) {
      return null;
    }
  }

  /** A text field of a JSON body; null when absent, a mistake when of another type. */
  static String text(JsonObject body, String field) {
    Object v = body.getValue(field);
    if (v == null) {
      return null;
    }
    if (!(v instanceof String s)) {
      throw new ApiResponses.BadRequest(field + " must be a string");
    }
    return s;
  }

  static String required(JsonObject body, String field, String hint) {
    String s = text(body, field);
    if (s == null || s.isBlank()) {
      throw new ApiResponses.BadRequest(field + " is required: " + hint);
    }
    return s.strip();
  }

  static String abbreviate(String s) {
    return s.length() <= 60 ? s : s.substring(0, 57) + "...";
  }
}
