package com.timereg.gateway.blocks;

import com.timereg.gateway.clientip.Cidr;
import com.timereg.gateway.clientip.ClientAddressResolver;
import java.net.Inet4Address;
import java.net.InetAddress;
import java.time.Duration;

/**
 * Checks what an administrator typed before anything is written. Every failure is a
 * {@link BlockRequestException} of kind {@link RequestFailure#INVALID} whose message says what was
 * wrong and what would be right. No side effects: validation only reads its input.
 */
final class EditRules {
  /** Long enough for a ticket reference and a sentence; short enough to keep a notification small. */
  static final int MAX_NOTE_LENGTH = 500;
  static final int MAX_ACTOR_LENGTH = 100;
  /** Shorter blocks end before a notification round trip and an administrator's second look. */
  static final Duration MIN_MANUAL_BLOCK = Duration.ofMinutes(1);

  private final BlockSyncSettings settings;

  EditRules(BlockSyncSettings settings) {
    this.settings = settings;
  }

  /** An address or range to block or allowlist by hand; refuses ranges wider than the settings allow. */
  Cidr rangeToEdit(String text) {
    Cidr cidr = parse(text);
    int min = cidr.isIpv4() ? settings.minIpv4Prefix() : settings.minIpv6Prefix();
    if (cidr.prefixLength() < min) {
      throw BlockRequestException.invalid("'" + cidr + "' is too wide: " + (cidr.isIpv4() ? "IPv4" : "IPv6")
          + " ranges must be /" + min + " or narrower");
    }
    return cidr;
  }

  /** An address or range to unblock; any width, since lifting blocks cannot lock anyone out. */
  Cidr unblockTarget(String text) {
    return parse(text);
  }

  Duration duration(Duration d) {
    if (d == null) {
      throw BlockRequestException.invalid("a block needs a duration");
    }
    if (d.isNegative() || d.isZero()) {
      throw BlockRequestException.invalid("a block's duration must be positive, was " + human(d));
    }
    if (d.compareTo(MIN_MANUAL_BLOCK) < 0) {
      throw BlockRequestException.invalid("a block must last at least " + human(MIN_MANUAL_BLOCK)
          + ", was " + human(d));
    }
    if (d.compareTo(settings.maxManualBlock()) > 0) {
      throw BlockRequestException.invalid("a block may last at most " + human(settings.maxManualBlock())
          + ", was " + human(d));
    }
    return d;
  }

  /** A reason or note: required, one line of printable text, at most {@value #MAX_NOTE_LENGTH} characters. */
  static String note(String text, String what) {
    String s = text == null ? "" : text.strip();
    if (s.isEmpty()) {
      throw BlockRequestException.invalid("a " + what + " is required");
    }
    if (s.length() > MAX_NOTE_LENGTH) {
      throw BlockRequestException.invalid("the " + what + " is " + s.length() + " characters long; at most "
          + MAX_NOTE_LENGTH + " are allowed");
    }
    if (hasInvisible(s)) {
      throw BlockRequestException.invalid("the " + what + " contains control or formatting characters; "
          + "use one line of plain text");
    }
    return s;
  }

  /** Who is editing, as the admin layer authenticated them. */
  static String actor(String actor) {
    String s = actor == null ? "" : actor.strip();
    if (s.isEmpty() || s.length() > MAX_ACTOR_LENGTH || hasInvisible(s)) {
      throw BlockRequestException.invalid("the editing administrator must be named (1 to " + MAX_ACTOR_LENGTH
          + " printable characters)");
    }
    return s;
  }

  private static Cidr parse(String text) {
    Cidr cidr;
    try {
      cidr = Cidr.parse(text);
    } catch (IllegalArgumentException e) {
      throw BlockRequestException.invalid(e.getMessage());
    }
    return asCounted(cidr);
  }

  /**
   * A range inside NAT64's 64:ff9b::/96 as the IPv4 range it stands for: the throttle counts, blocks and explains a
   * client arriving through a translator as the IPv4 address it embeds ({@code ClientAddressResolver}), so the IPv6
   * range, stored as typed, would match no client ever (as IPv4-mapped ranges are read by {@link Cidr#parse}).
   */
  static Cidr asCounted(Cidr cidr) {
    if (cidr.isIpv4() || cidr.prefixLength() < 96) {
      return cidr;
    }
    InetAddress embedded = ClientAddressResolver.embeddedIpv4(cidr.network());
    return embedded instanceof Inet4Address ? Cidr.of(embedded, cidr.prefixLength() - 96) : cidr;
  }

  /**
   * Control, line-separator and bidi-formatting characters could forge lines in logs or disguise
   * text in the console; a lone surrogate cannot be stored as typed (it would be saved as '?').
   */
  private static boolean hasInvisible(String s) {
    return s.codePoints().anyMatch(c -> {
      int type = Character.getType(c);
      return Character.isISOControl(c) || type == Character.FORMAT || type == Character.LINE_SEPARATOR
          || type == Character.PARAGRAPH_SEPARATOR || type == Character.SURROGATE;
    });
  }

  static String human(Duration d) {
    long s = d.toSeconds();
    if (d.isNegative() || d.toMillisPart() != 0 || s == 0) {
      // toMillis() overflows beyond some 292 million years, which a typed ISO duration reaches
      return s > -(Long.MAX_VALUE / 1000) && s < Long.MAX_VALUE / 1000 ? d.toMillis() + " ms" : plural(s, "second");
    }
    if (s % 86_400 == 0) {
      return plural(s / 86_400, "day");
    }
    if (s % 3600 == 0) {
      return plural(s / 3600, "hour");
    }
    return s % 60 == 0 ? plural(s / 60, "minute") : plural(s, "second");
  }

  private static String plural(long n, String unit) {
    return n + " " + unit + (n == 1 ? "" : "s");
  }
}
