package com.timereg.gateway.blocks;

import java.security.SecureRandom;
import java.util.HexFormat;
import java.util.regex.Pattern;

/**
 * Names this gateway node in notifications and audit rows. Receivers skip notifications carrying
 * their own id, so two nodes must never share one: a random id per start is the safe default, a
 * configured one (e.g. the pod name) only makes the audit trail easier to read.
 */
public record NodeId(String value) {
  private static final Pattern VALID = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]{0,62}");
  private static final SecureRandom RANDOM = new SecureRandom();

  public NodeId {
    if (value == null || !VALID.matcher(value).matches()) {
      throw new IllegalArgumentException("node id must be 1 to 63 letters, digits, '.', '_' or '-', "
          + "starting with a letter or digit; was '" + value + "'");
    }
  }

  /** {@code node-} and 8 random hex digits: distinct across any realistic number of starts. */
  public static NodeId random() {
    byte[] bytes = new byte[4];
    RANDOM.nextBytes(bytes);
    return new NodeId("node-" + HexFormat.of().formatHex(bytes));
  }

  @Override
  public String toString() {
    return value;
  }
}
