package com.timereg.gateway.throttle;

import java.net.InetAddress;

/**
 * Everything the throttle knows about one address, for the admin API.
 *
 * @param address the address asked about
 * @param decision what a request from it gets now
 * @param allowlistedBy the allowlist entry covering it, or null
 * @param manualBlock the manual block covering it, or null
 * @param client state of its client key
 * @param range state of its range key
 * @param surge the surge state limits are computed under
 */
public record Explanation(
    InetAddress address,
    Decision decision,
    AllowEntry allowlistedBy,
    ManualBlock manualBlock,
    KeyState client,
    KeyState range,
    SurgeState surge) {}
