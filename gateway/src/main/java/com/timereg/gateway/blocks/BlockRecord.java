package com.timereg.gateway.blocks;

import com.timereg.gateway.clientip.Cidr;
import com.timereg.gateway.throttle.BlockEntry;
import com.timereg.gateway.throttle.BlockKind;
import com.timereg.gateway.throttle.BlockReason;
import java.time.Instant;

/**
 * One row of the {@code blocks} table: a block as it was decided, and how it ended if it was lifted.
 *
 * @param id row id
 * @param cidr the blocked address block
 * @param kind client or range (automatic), or manual
 * @param reason the throttle's reason ({@link BlockReason#MANUAL} for manual blocks)
 * @param note the administrator's reason for a manual block, empty otherwise
 * @param invalidLogins invalid logins the deciding node had counted for the subject (0 for manual)
 * @param firstSeen first invalid login it had seen, or null
 * @param lastSeen last invalid login it had seen, or null
 * @param createdAt when the block started
 * @param expiresAt when it ends by itself
 * @param level escalation level (1 = first automatic block; 0 for manual)
 * @param createdBy the administrator of a manual block; null for automatic blocks
 * @param liftedAt when it was lifted by hand, or null
 * @param liftedBy who lifted it, or null
 * @param liftReason why, or null
 * @param originNode the node that decided it
 */
public record BlockRecord(
    long id,
    Cidr cidr,
    BlockKind kind,
    BlockReason reason,
    String note,
    long invalidLogins,
    Instant firstSeen,
    Instant lastSeen,
    Instant createdAt,
    Instant expiresAt,
    int level,
    String createdBy,
    Instant liftedAt,
    String liftedBy,
    String liftReason,
    String originNode) {

  /** Whether the block holds at {@code now}: neither lifted nor expired. */
  public boolean activeAt(Instant now) {
    return liftedAt == null && expiresAt.isAfter(now);
  }

  /** The block as the throttle knows it, to apply on a node. */
  BlockEntry toEntry() {
    return new BlockEntry(cidr, kind, reason, note, createdBy == null ? BlockEntry.AUTOMATIC_CREATOR : createdBy,
        createdAt, expiresAt, level, invalidLogins, firstSeen, lastSeen);
  }
}
