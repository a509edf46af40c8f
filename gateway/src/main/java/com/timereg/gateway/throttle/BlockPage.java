package com.timereg.gateway.throttle;

import java.util.List;

/**
 * One page of active blocks, newest first.
 *
 * @param items the blocks on this page
 * @param offset index of the first item in the whole list
 * @param total active blocks in all
 */
public record BlockPage(List<BlockEntry> items, int offset, int total) {}
