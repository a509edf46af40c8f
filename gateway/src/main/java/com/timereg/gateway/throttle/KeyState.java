package com.timereg.gateway.throttle;

import com.timereg.gateway.clientip.Cidr;
import java.time.Instant;

/**
 * The counters and limits in force for one client or range key, for the admin API.
 *
 * @param subject the key as an address block
 * @param tracked whether the store holds a record for it
 * @param failuresInWindow estimated invalid logins in the sliding window
 * @param failureLimit the limit in force now (after surge and success headroom)
 * @param blockedClientsInWindow estimated blocked clients in the window (ranges only, else 0)
 * @param blockedClientLimit the limit in force for those (ranges only, else 0)
 * @param successHeadroom whether a recent successful login raised the limits
 * @param recentPeople estimated distinct people who signed in successfully from it within the success memory, as
 *     counted on this node since it started (0 without success headroom)
 * @param lastSuccess last successful login, or null
 * @param blockedUntil end of the current block, or null when not blocked
 * @param blockReason reason of the last block ({@link BlockReason#NONE} if never)
 * @param rememberedLevel escalation level a new block would build on
 * @param totalFailures invalid logins since first seen
 * @param firstFailure first invalid login, or null
 * @param lastFailure last invalid login, or null
 */
public record KeyState(
    Cidr subject,
    boolean tracked,
    double failuresInWindow,
    int failureLimit,
    double blockedClientsInWindow,
    int blockedClientLimit,
    boolean successHeadroom,
    int recentPeople,
    Instant lastSuccess,
    Instant blockedUntil,
    BlockReason blockReason,
    int rememberedLevel,
    long totalFailures,
    Instant firstFailure,
    Instant lastFailure) {}
