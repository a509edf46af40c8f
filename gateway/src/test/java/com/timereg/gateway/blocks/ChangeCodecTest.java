package com.timereg.gateway.blocks;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.timereg.gateway.clientip.Cidr;
import com.timereg.gateway.throttle.AllowEntry;
import com.timereg.gateway.throttle.BlockEntry;
import com.timereg.gateway.throttle.BlockKind;
import com.timereg.gateway.throttle.BlockReason;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.List;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

class ChangeCodecTest {
  static final NodeId NODE = new NodeId("node-1");
  static final Instant T = Instant.parse("2026-03-02T10:00:00.123Z");

  @Test
  void everyKindOfChangeSurvivesTheRoundTrip() {
    List<Change> changes = List.of(
        new Change.Blocked(new BlockEntry(Cidr.parse("192.0.2.10/32"), BlockKind.CLIENT, BlockReason.CLIENT_FAILURES,
            "", BlockEntry.AUTOMATIC_CREATOR, T, T.plusSeconds(900), 2, 17, T.minusSeconds(60), T)),
        new Change.Blocked(new BlockEntry(Cidr.parse("2001:db8::/32"), BlockKind.MANUAL, BlockReason.MANUAL,
            "botnet \"Mirai\", ticket #12 – Zürich", "alice", T, T.plusSeconds(3600), 0, 0, null, null)),
        new Change.Unblocked(Cidr.parse("192.0.2.0/24"), List.of(Cidr.parse("192.0.2.10/32"), Cidr.parse("192.0.2.0/24"))),
        new Change.Allowed(new AllowEntry(Cidr.parse("198.51.100.0/24"), "office", "carol", T)),
        new Change.Disallowed(Cidr.parse("198.51.100.0/24")),
        new Change.Resync());

    for (Change c : changes) {
      ChangeCodec.Notification n = ChangeCodec.decode(ChangeCodec.encode(NODE, c));
      assertThat(n.node()).isEqualTo("node-1");
      assertThat(n.change()).isEqualTo(c);
    }
  }

  @Test
  void staffEditCarriesItsIdEvenWhenSentAsAResync() {
    Change allowed = new Change.Allowed(new AllowEntry(Cidr.parse("198.51.100.0/24"), "office", "carol", T));
    List<Cidr> many = IntStream.range(0, 1000).mapToObj(i -> Cidr.parse("10.0." + (i / 256) + "." + (i % 256))).toList();

    assertThat(ChangeCodec.decode(ChangeCodec.encode(NODE, allowed, "ab12-7")))
        .isEqualTo(new ChangeCodec.Notification("node-1", "ab12-7", allowed));
    assertThat(ChangeCodec.decode(ChangeCodec.encode(NODE, new Change.Unblocked(Cidr.parse("10.0.0.0/16"), many),
        "ab12-8"))).isEqualTo(new ChangeCodec.Notification("node-1", "ab12-8", new Change.Resync()));
    assertThat(ChangeCodec.decode(ChangeCodec.encode(NODE, allowed)).edit()).as("not a staff edit").isNull();
  }

  @Test
  void unblockTooLargeForOneNotificationIsSentAsAResync() {
    List<Cidr> many = IntStream.range(0, 1000).mapToObj(i -> Cidr.parse("10.0." + (i / 256) + "." + (i % 256))).toList();

    String payload = ChangeCodec.encode(NODE, new Change.Unblocked(Cidr.parse("10.0.0.0/16"), many));

    assertThat(payload.getBytes(StandardCharsets.UTF_8).length).isLessThan(8000);
    assertThat(ChangeCodec.decode(payload).change()).isEqualTo(new Change.Resync());
  }

  @Test
  void longestAllowedNoteInFourByteCharactersStillFits() {
    String note = "😀".repeat(EditRules.MAX_NOTE_LENGTH / 2);
    Change c = new Change.Allowed(new AllowEntry(Cidr.parse("198.51.100.0/24"), note, "x".repeat(100), T));

    assertThat(ChangeCodec.decode(ChangeCodec.encode(NODE, c)).change()).isEqualTo(c);
  }

  @Test
  void unknownOperationFromANewerNodeAsksForAResync() {
    String payload = "{\"v\":2,\"node\":\"node-9\",\"op\":\"quarantine\",\"cidr\":\"192.0.2.1/32\"}";

    assertThat(ChangeCodec.decode(payload).change()).isEqualTo(new Change.Resync());
  }

  @Test
  void knownOperationInANewerVersionAsksForAResyncRatherThanBeingMisreadOrDropped() {
    // A newer node may change what an op carries; read as version 1, this unblock would be refused as malformed
    // (and the lift lost on this node until its next reload), or worse, misread.
    String payload = "{\"v\":2,\"node\":\"node-9\",\"op\":\"unblock\",\"target\":\"192.0.2.0/24\","
        + "\"liftedIds\":[41,42]}";

    assertThat(ChangeCodec.decode(payload).change()).isEqualTo(new Change.Resync());
  }

  @Test
  void malformedPayloadsAreRefused() {
    assertThatThrownBy(() -> ChangeCodec.decode("not json")).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> ChangeCodec.decode("{\"op\":\"resync\"}")).hasMessageContaining("without a node");
    assertThatThrownBy(() -> ChangeCodec.decode("{\"node\":\"n\",\"op\":\"allow-remove\",\"cidr\":\"10.0.0.1/8\"}"))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> ChangeCodec.decode("{\"node\":\"n\",\"op\":\"block\"}"))
        .isInstanceOf(IllegalArgumentException.class);
  }
}
