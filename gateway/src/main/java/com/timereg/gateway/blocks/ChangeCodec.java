package com.timereg.gateway.blocks;

import com.timereg.gateway.clientip.Cidr;
import com.timereg.gateway.throttle.AllowEntry;
import com.timereg.gateway.throttle.BlockEntry;
import com.timereg.gateway.throttle.BlockKind;
import com.timereg.gateway.throttle.BlockReason;
import io.vertx.core.json.DecodeException;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/**
 * The JSON payload of a notification on {@value #CHANNEL}: {@code {"v":1,"node":..,"edit":..,"op":..,...}}.
 * Times are epoch milliseconds. The payload describes the change fully, so receivers apply it
 * without a round trip to the database.
 */
final class ChangeCodec {
  static final String CHANNEL = "gateway_blocks";
  /**
   * PostgreSQL refuses NOTIFY payloads of 8000 bytes or more, failing the whole transaction. A
   * change that does not fit (an unblock lifting hundreds of blocks) is sent as a resync instead.
   */
  static final int MAX_PAYLOAD_BYTES = 7000;
  static final int VERSION = 1;

  /**
   * A decoded notification: who sent it, what changed, and for a staff edit the sending node's id of that edit (null
   * for anything else), by which the node tells its own edit's notification from its answer ({@link LocalState}).
   */
  record Notification(String node, String edit, Change change) {}

  private ChangeCodec() {}

  /** The payload for {@code change}, or a resync request when it would be too large to send. */
  static String encode(NodeId node, Change change) {
    return encode(node, change, null);
  }

  /**
   * The payload for a staff edit's {@code change}, carrying the edit's id ({@code "edit"}; none when null), or a
   * resync request with that id when it would be too large to send. Older nodes ignore the field.
   */
  static String encode(NodeId node, Change change, String edit) {
    String payload = toJson(node, change, edit).encode();
    if (payload.getBytes(StandardCharsets.UTF_8).length > MAX_PAYLOAD_BYTES) {
      return toJson(node, new Change.Resync(), edit).encode();
    }
    return payload;
  }

  /** Parses a payload; throws {@link IllegalArgumentException} for anything malformed. */
  static Notification decode(String payload) {
    try {
      JsonObject json = new JsonObject(payload);
      String node = json.getString("node");
      if (node == null) {
        throw new IllegalArgumentException("notification without a node");
      }
      String edit = json.getString("edit");
      if (json.getInteger("v", VERSION) > VERSION) {
        // A newer node may have changed what an op carries: read as ours, its change would be misread or refused
        // (and lost here until the next reload). The tables still tell the truth.
        return new Notification(node, edit, new Change.Resync());
      }
      return new Notification(node, edit, change(json));
    } catch (DecodeException | ClassCastException | NullPointerException e) {
      throw new IllegalArgumentException("malformed notification: " + e.getMessage(), e);
    }
  }

  private static JsonObject toJson(NodeId node, Change change, String edit) {
    JsonObject json = new JsonObject().put("v", VERSION).put("node", node.value());
    if (edit != null) {
      json.put("edit", edit);
    }
    if (change instanceof Change.Blocked b) {
      json.put("op", "block").put("block", block(b.block()));
    } else if (change instanceof Change.Unblocked u) {
      JsonArray lifted = new JsonArray();
      u.lifted().forEach(c -> lifted.add(c.toString()));
      json.put("op", "unblock").put("target", u.target().toString()).put("lifted", lifted);
    } else if (change instanceof Change.Allowed a) {
      AllowEntry e = a.entry();
      json.put("op", "allow-add").put("cidr", e.cidr().toString()).put("note", e.reason())
          .put("by", e.createdBy()).put("at", e.createdAt().toEpochMilli());
    } else if (change instanceof Change.Disallowed d) {
      json.put("op", "allow-remove").put("cidr", d.cidr().toString());
    } else {
      json.put("op", "resync");
    }
    return json;
  }

  private static Change change(JsonObject json) {
    String op = json.getString("op");
    if (op == null) {
      throw new IllegalArgumentException("notification without an op");
    }
    return switch (op) {
      case "block" -> new Change.Blocked(block(json.getJsonObject("block")));
      case "unblock" -> new Change.Unblocked(Cidr.parse(json.getString("target")), cidrs(json.getJsonArray("lifted")));
      case "allow-add" -> new Change.Allowed(new AllowEntry(Cidr.parse(json.getString("cidr")),
          json.getString("note"), json.getString("by"), Instant.ofEpochMilli(json.getLong("at"))));
      case "allow-remove" -> new Change.Disallowed(Cidr.parse(json.getString("cidr")));
      // An op from a newer node that this one does not know: the tables still tell the truth.
      default -> new Change.Resync();
    };
  }

  private static JsonObject block(BlockEntry b) {
    JsonObject json = new JsonObject()
        .put("cidr", b.subject().toString())
        .put("kind", b.kind().name())
        .put("reason", b.reason().name())
        .put("note", b.note())
        .put("by", b.createdBy())
        .put("since", b.since().toEpochMilli())
        .put("until", b.until().toEpochMilli())
        .put("level", b.level())
        .put("failures", b.failures());
    if (b.firstFailure() != null) {
      json.put("first", b.firstFailure().toEpochMilli());
    }
    if (b.lastFailure() != null) {
      json.put("last", b.lastFailure().toEpochMilli());
    }
    return json;
  }

  private static BlockEntry block(JsonObject json) {
    return new BlockEntry(Cidr.parse(json.getString("cidr")), BlockKind.valueOf(json.getString("kind")),
        reason(json.getString("reason")), json.getString("note", ""), json.getString("by", ""),
        Instant.ofEpochMilli(json.getLong("since")), Instant.ofEpochMilli(json.getLong("until")),
        json.getInteger("level", 0), json.getLong("failures", 0L), instant(json.getLong("first")),
        instant(json.getLong("last")));
  }

  static BlockReason reason(String name) {
    try {
      return BlockReason.valueOf(name);
    } catch (IllegalArgumentException | NullPointerException e) {
      return BlockReason.NONE;
    }
  }

  private static List<Cidr> cidrs(JsonArray array) {
    List<Cidr> out = new ArrayList<>(array.size());
    for (int i = 0; i < array.size(); i++) {
      out.add(Cidr.parse(array.getString(i)));
    }
    return out;
  }

  private static Instant instant(Long millis) {
    return millis == null ? null : Instant.ofEpochMilli(millis);
  }
}
