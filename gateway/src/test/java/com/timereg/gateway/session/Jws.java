package com.timereg.gateway.session;

import io.vertx.core.json.JsonObject;
import java.nio.charset.StandardCharsets;
import java.security.PrivateKey;
import java.security.Signature;
import java.util.Base64;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/** Hand-made tokens for attacks our signer would never produce. */
final class Jws {
  private Jws() {}

  static String b64(byte[] b) {
    return Base64.getUrlEncoder().withoutPadding().encodeToString(b);
  }

  static String b64(JsonObject json) {
    return b64(json.encode().getBytes(StandardCharsets.UTF_8));
  }

  static JsonObject header(String token) {
    return new JsonObject(new String(Base64.getUrlDecoder().decode(token.split("\\.")[0]), StandardCharsets.UTF_8));
  }

  static JsonObject payload(String token) {
    return new JsonObject(new String(Base64.getUrlDecoder().decode(token.split("\\.")[1]), StandardCharsets.UTF_8));
  }

  static String hs256(JsonObject header, JsonObject payload, byte[] key) throws Exception {
    String input = b64(header) + "." + b64(payload);
    Mac mac = Mac.getInstance("HmacSHA256");
    mac.init(new SecretKeySpec(key, "HmacSHA256"));
    return input + "." + b64(mac.doFinal(input.getBytes(StandardCharsets.US_ASCII)));
  }

  /** ES256 in JWS form (r || s, 64 bytes), from the JDK's DER signature. */
  static String es256(JsonObject header, JsonObject payload, PrivateKey key) throws Exception {
    String input = b64(header) + "." + b64(payload);
    Signature s = Signature.getInstance("SHA256withECDSAinP1363Format");
    s.initSign(key);
    s.update(input.getBytes(StandardCharsets.US_ASCII));
    return input + "." + b64(s.sign());
  }
}
