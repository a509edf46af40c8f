package com.timereg.gateway.blocks;

/**
 * A search of the block record for the admin console.
 *
 * @param address an address or range; only blocks overlapping it (containing the address, or
 *     inside or around the range) are listed. Null or blank: all.
 * @param kind automatic, manual or both
 * @param activeOnly only blocks neither lifted nor expired
 * @param sort the order
 * @param offset entries to skip
 * @param limit page size, 1 to {@value #MAX_LIMIT}
 */
public record BlockSearch(String address, Kind kind, boolean activeOnly, Sort sort, int offset, int limit) {
  public static final int MAX_LIMIT = 500;
  public static final int DEFAULT_LIMIT = 50;

  public enum Kind { ANY, AUTOMATIC, MANUAL }

  public enum Sort {
    NEWEST("created_at DESC, id DESC"),
    EXPIRES_SOONEST("expires_at ASC, id ASC"),
    EXPIRES_LATEST("expires_at DESC, id DESC"),
    MOST_INVALID_LOGINS("invalid_logins DESC, id DESC");

    final String orderBy;

    Sort(String orderBy) {
      this.orderBy = orderBy;
    }
  }

  public BlockSearch {
    kind = kind == null ? Kind.ANY : kind;
    sort = sort == null ? Sort.NEWEST : sort;
  }

  /** The first page of active blocks, the soonest to expire first. */
  public static BlockSearch active() {
    return new BlockSearch(null, Kind.ANY, true, Sort.EXPIRES_SOONEST, 0, DEFAULT_LIMIT);
  }

  public BlockSearch withAddress(String a) {
    return new BlockSearch(a, kind, activeOnly, sort, offset, limit);
  }

  public BlockSearch withKind(Kind k) {
    return new BlockSearch(address, k, activeOnly, sort, offset, limit);
  }

  public BlockSearch withActiveOnly(boolean only) {
    return new BlockSearch(address, kind, only, sort, offset, limit);
  }

  public BlockSearch withSort(Sort s) {
    return new BlockSearch(address, kind, activeOnly, s, offset, limit);
  }

  public BlockSearch withPage(int newOffset, int newLimit) {
    return new BlockSearch(address, kind, activeOnly, sort, newOffset, newLimit);
  }
}
