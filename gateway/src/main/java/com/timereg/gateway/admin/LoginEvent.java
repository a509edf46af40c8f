package com.timereg.gateway.admin;

import java.net.InetAddress;
import java.time.Instant;

/**
 * One login outcome seen by this node.
 *
 * @param at when it was recorded
 * @param client the client address
 * @param succeeded whether the login succeeded
 * @param loginName the stored login name of an existing user, or null (see {@link SecurityEvents})
 * @param detail the sign-in method for a success, the failure kind for a failure
 * @param node the node that saw it
 */
public record LoginEvent(Instant at, InetAddress client, boolean succeeded, String loginName, String detail, String node) {}
