-- Sessions (refresh-token families) and their refresh tokens. See docs/session.md.
--
-- Every timestamp is written by the gateway from its clock rather than by now(), so that the
-- idle and absolute timeouts are decided by one clock (the one tests can fast-forward), and so
-- that a family's times stay comparable however long a transaction waited for a lock.

CREATE TABLE sessions (
    -- Random UUID made by the gateway; it is the access token's "sid" claim, the key of the
    -- revocation list and the payload of the revocation notification. Not a secret: holding it
    -- grants nothing.
    id                  uuid        PRIMARY KEY,
    -- CASCADE: a deleted user has no sessions to keep; their access tokens die within one
    -- access-token lifetime, as refresh then finds no family.
    user_id             bigint      NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    method              text        NOT NULL CHECK (method IN ('password', 'sso')),
    created_at          timestamptz NOT NULL,
    -- Moved on every successful refresh; the idle timeout counts from here.
    last_used_at        timestamptz NOT NULL,
    absolute_expires_at timestamptz NOT NULL,
    revoked_at          timestamptz,
    revoked_reason      text        CHECK (revoked_reason IN
                                        ('logout', 'admin', 'password-change', 'reuse-detected', 'user-disabled')),
    CHECK ((revoked_at IS NULL) = (revoked_reason IS NULL)),
    CHECK (last_used_at >= created_at AND absolute_expires_at > created_at)
);

-- "Revoke all of this user's sessions" (password change, admin) only touches live ones.
CREATE INDEX sessions_user_id_live_idx ON sessions (user_id) WHERE revoked_at IS NULL;
-- Each node reloads the sessions revoked within the last access-token lifetime at start, after a
-- lost LISTEN connection and every resync interval: a small range scan on this index.
CREATE INDEX sessions_revoked_at_idx ON sessions (revoked_at) WHERE revoked_at IS NOT NULL;
-- The purge deletes families whose absolute lifetime ended longer ago than the retention.
CREATE INDEX sessions_absolute_expires_at_idx ON sessions (absolute_expires_at);

CREATE TABLE refresh_tokens (
    -- SHA-256 of the token's 32 random bytes. The token itself is never stored: a copy of this
    -- table does not let anyone refresh. A plain hash (no salt, no stretching) is enough because
    -- the input is 256 random bits, not a guessable password.
    hash         bytea       PRIMARY KEY CHECK (length(hash) = 32),
    session_id   uuid        NOT NULL REFERENCES sessions (id) ON DELETE CASCADE,
    issued_at    timestamptz NOT NULL,
    -- min(issued_at + idle timeout, the family's absolute expiry) when issued.
    expires_at   timestamptz NOT NULL,
    -- Set when the token is exchanged; presenting it again afterwards is reuse (theft detection).
    used_at      timestamptz,
    -- Hash of the token that replaced this one, to follow a family's chain when investigating.
    replaced_by  bytea,
    CHECK ((used_at IS NULL) = (replaced_by IS NULL))
);

CREATE INDEX refresh_tokens_session_id_idx ON refresh_tokens (session_id);
