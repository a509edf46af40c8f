package com.timereg.gateway.blocks;

import com.timereg.gateway.clientip.Cidr;
import com.timereg.gateway.throttle.AllowEntry;
import com.timereg.gateway.throttle.BlockEntry;
import java.util.List;

/** One committed change of the shared block lists, as applied on each node and sent in a notification. */
sealed interface Change {
  /** A block started: automatic (client, range) or manual. */
  record Blocked(BlockEntry block) implements Change {}

  /**
   * An administrator lifted blocks.
   *
   * @param target what they asked to unblock; lifted on every node even if no row matched, since a
   *     node may hold a block whose row could not be written
   * @param lifted the blocks (rows) that were active and are now lifted
   */
  record Unblocked(Cidr target, List<Cidr> lifted) implements Change {
    public Unblocked {
      lifted = List.copyOf(lifted);
    }
  }

  record Allowed(AllowEntry entry) implements Change {}

  record Disallowed(Cidr cidr) implements Change {}

  /** Too much changed to describe in one notification: reload everything from the tables. */
  record Resync() implements Change {}
}
