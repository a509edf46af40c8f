package com.timereg.gateway.blocks;

import com.timereg.gateway.clientip.Cidr;
import com.timereg.gateway.throttle.AllowEntry;
import java.time.Instant;
import java.util.List;

/**
 * What the tables say should hold on every node at one moment.
 *
 * @param active blocks neither lifted nor expired
 * @param lifted automatic blocks lifted by hand before their expiry, with no newer active block of
 *     the same subject: a node that missed the lift must end its copy
 * @param allowlist live allowlist entries
 * @param unblocks unblocks since this node's oldest automatic block still waiting for its row (none when no block
 *     waits): a node that was deaf when one was committed must neither keep such a block nor write it
 */
record Snapshot(List<BlockRecord> active, List<Lifted> lifted, List<AllowEntry> allowlist, List<Unblock> unblocks) {
  Snapshot(List<BlockRecord> active, List<Lifted> lifted, List<AllowEntry> allowlist) {
    this(active, lifted, allowlist, List.of());
  }

  /** A lifted automatic block and the expiry it had, to tell it apart from a newer local block. */
  record Lifted(Cidr cidr, Instant expiresAt) {}

  /** An unblock's target and when it was committed (the editing node's clock). */
  record Unblock(Cidr target, Instant at) {}
}
