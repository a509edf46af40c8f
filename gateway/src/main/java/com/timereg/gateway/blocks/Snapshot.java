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
 */
record Snapshot(List<BlockRecord> active, List<Lifted> lifted, List<AllowEntry> allowlist) {
  /** A lifted automatic block and the expiry it had, to tell it apart from a newer local block. */
  record Lifted(Cidr cidr, Instant expiresAt) {}
}
