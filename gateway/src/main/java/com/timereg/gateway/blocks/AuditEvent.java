package com.timereg.gateway.blocks;

import com.timereg.gateway.clientip.Cidr;
import io.vertx.core.json.JsonObject;
import java.time.Instant;

/**
 * One row of {@code audit_events}: who did what to which addresses, when, why and on which node.
 *
 * @param id row id
 * @param at when (the deciding node's clock)
 * @param actor the administrator; null for the gateway's own decisions
 * @param action {@code block}, {@code unblock}, {@code allow-add}, {@code allow-remove} or
 *     {@code block-issued-automatic}
 * @param subject the address or range concerned, or null
 * @param note the reason or note given (for automatic blocks, the throttle's reason)
 * @param details particulars: block ids, expiry, lifted blocks, replaced entries
 * @param node the node the edit was made on
 */
public record AuditEvent(
    long id, Instant at, String actor, String action, Cidr subject, String note, JsonObject details, String node) {}
