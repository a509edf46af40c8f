package com.timereg.gateway.blocks;

import com.timereg.gateway.clientip.Cidr;
import java.util.List;

/**
 * What an unblock did.
 *
 * @param target the address or range asked for; lifted on every node in any case
 * @param lifted the recorded blocks that were active and are now lifted (may be empty: a node may
 *     still have held a block whose row could not be written)
 */
public record UnblockResult(Cidr target, List<BlockRecord> lifted) {
  public UnblockResult {
    lifted = List.copyOf(lifted);
  }
}
