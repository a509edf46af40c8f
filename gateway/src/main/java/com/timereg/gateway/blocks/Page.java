package com.timereg.gateway.blocks;

import java.util.List;

/**
 * One page of a listing.
 *
 * @param items the entries on this page
 * @param offset index of the first of them in the whole listing
 * @param limit the page size asked for
 * @param total entries in the whole listing
 */
public record Page<T>(List<T> items, int offset, int limit, long total) {
  public Page {
    items = List.copyOf(items);
  }
}
