package com.timereg.gateway.throttle;

import java.time.Instant;

/**
 * Gateway-wide surge mode as seen by this node.
 *
 * @param active whether limits are tightened now
 * @param since when the current state began (null before the first transition)
 * @param failuresPerMinute estimated invalid logins in the last minute, across the node
 * @param enterAt the rate at which surge mode starts
 * @param leaveBelow the rate below which it ends (after its minimum duration)
 * @param limitFactor the factor applied to limits while active
 */
public record SurgeState(
    boolean active, Instant since, double failuresPerMinute, int enterAt, double leaveBelow, double limitFactor) {}
