package com.timereg.gateway.blocks;

import com.timereg.gateway.clientip.Cidr;
import java.util.List;

/**
 * Everything recorded about one address or range, newest first.
 *
 * @param subject what was asked about
 * @param blocks blocks overlapping it, active or past
 * @param events audit events whose subject overlaps it (blocks, unblocks, allowlist edits)
 */
public record AddressHistory(Cidr subject, List<BlockRecord> blocks, List<AuditEvent> events) {
  public AddressHistory {
    blocks = List.copyOf(blocks);
    events = List.copyOf(events);
  }
}
