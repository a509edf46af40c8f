-- Blocks, allowlist and audit trail shared by all gateway nodes (package blocks, docs/blocks.md).
-- The tables are the record; LISTEN/NOTIFY on channel gateway_blocks only tells the other nodes
-- to look. A node that missed notifications reloads from these tables, so every fact a node
-- enforces must be derivable from them.
--
-- Times are written by the node that decided (its injected clock), not by now(): the node
-- enforces a block against its own clock, and expires_at must mean the same instant to the
-- table and to the node's in-memory copy.

CREATE TABLE blocks (
    id             bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    -- cidr rather than text or inet: the server refuses host bits after the prefix (the
    -- application refuses them too), and the containment operators >>= <<= && work on it
    -- with the GiST index below.
    cidr           cidr        NOT NULL,
    kind           text        NOT NULL CHECK (kind IN ('automatic', 'manual')),
    -- client: one address (an IPv4 /32 or an IPv6 /64 or longer); range: anything wider.
    -- For automatic blocks it is the throttle's key type; for manual ones it only helps filtering.
    scope          text        NOT NULL CHECK (scope IN ('client', 'range')),
    -- The throttle's reason code (client-failures, range-failures, range-blocked-clients, manual).
    -- No CHECK: a reason the throttle adds later must not make inserts fail on an older schema;
    -- readers map an unknown code to 'none'.
    reason         text        NOT NULL,
    -- The administrator's explanation for a manual block; empty for automatic ones.
    note           text        NOT NULL DEFAULT '',
    -- Invalid logins counted for the subject by the node that blocked it (counting is node-local).
    invalid_logins bigint      NOT NULL DEFAULT 0 CHECK (invalid_logins >= 0),
    first_seen     timestamptz,
    last_seen      timestamptz,
    created_at     timestamptz NOT NULL,
    -- Every block ends by itself; a permanent block is how customers get locked out for months.
    expires_at     timestamptz NOT NULL CHECK (expires_at > created_at),
    -- Escalation level of an automatic block (1 = first); 0 for manual blocks.
    level          integer     NOT NULL DEFAULT 0 CHECK (level >= 0),
    -- NULL exactly for automatic blocks: the gateway itself decided.
    created_by     text        CHECK ((kind = 'manual') = (created_by IS NOT NULL)),
    lifted_at      timestamptz,
    lifted_by      text,
    lift_reason    text,
    -- The node that decided; receivers of a notification skip their own.
    origin_node    text        NOT NULL,
    CHECK ((lifted_at IS NULL) = (lifted_by IS NULL)),
    CHECK (lifted_at IS NULL OR lift_reason IS NOT NULL)
);

-- Active blocks are those not lifted and not yet expired. now() cannot appear in an index
-- predicate (it is not immutable), so the index holds every unlifted row ordered by expiry and
-- "expires_at > $now AND lifted_at IS NULL" reads only the tail of it. Expired rows stay in the
-- index but sit before $now, so the range scan never touches them.
CREATE INDEX blocks_active_idx ON blocks (expires_at) WHERE lifted_at IS NULL;

-- Catch-up after a missed notification lifts, on the reconnecting node, blocks that were lifted
-- elsewhere but have not expired yet. Lifted rows are few, so this partial index is tiny and
-- keeps that query off a sequential scan of the whole history.
CREATE INDEX blocks_lifted_idx ON blocks (expires_at) WHERE lifted_at IS NOT NULL;

-- Search by address: "cidr >>= '192.0.2.10'" (blocks containing an address) and
-- "cidr && '192.0.2.0/24'" (blocks overlapping a range). inet_ops is not GiST's default operator
-- class for inet/cidr, so it has to be named: without it GiST has no default class for cidr, or,
-- with the btree_gist extension installed, takes one that cannot answer containment at all.
CREATE INDEX blocks_cidr_idx ON blocks USING gist (cidr inet_ops);

CREATE TABLE allowlist (
    id           bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    cidr         cidr        NOT NULL,
    -- Why it is trusted (the office, the monitoring service): a bare range nobody can explain
    -- later is an allowlist entry nobody dares to remove.
    note         text        NOT NULL CHECK (note <> ''),
    created_by   text        NOT NULL,
    created_at   timestamptz NOT NULL,
    -- Rows are never deleted, only marked removed, so the table is its own history.
    removed_at   timestamptz,
    removed_by   text,
    removal_note text,
    CHECK ((removed_at IS NULL) = (removed_by IS NULL))
);

-- At most one live entry per range: adding it again replaces the entry (the old row is marked
-- removed in the same transaction), and two concurrent adds cannot both win.
CREATE UNIQUE INDEX allowlist_active_cidr_key ON allowlist (cidr) WHERE removed_at IS NULL;

CREATE TABLE audit_events (
    id      bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    at      timestamptz NOT NULL,
    -- The staff member; NULL only for decisions the gateway took itself.
    actor   text,
    -- text plus CHECK, as in V1: a new action is one constraint swap.
    action  text        NOT NULL CHECK (action IN
                ('block', 'unblock', 'allow-add', 'allow-remove', 'block-issued-automatic')),
    -- Nullable for future actions that concern no address (e.g. a settings change).
    subject cidr,
    -- The human reason or note given with the edit; for automatic blocks, the throttle's reason.
    note    text        NOT NULL DEFAULT '',
    -- Machine-readable particulars: block ids, expiry, lifted subjects, replaced rows.
    details jsonb       NOT NULL DEFAULT '{}',
    node    text        NOT NULL,
    CHECK (actor IS NOT NULL OR action = 'block-issued-automatic')
);

-- The console's "recent events" page, newest first; id breaks ties between equal timestamps.
CREATE INDEX audit_events_at_idx ON audit_events (at DESC, id DESC);

-- History of one address: events whose subject contains it or lies inside a searched range.
CREATE INDEX audit_events_subject_idx ON audit_events USING gist (subject inet_ops);
