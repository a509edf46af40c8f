-- Microsoft sign-in (OpenID Connect) per customer. See docs/sso.md.

-- The customer's identity provider. The columns are named for Entra ID, the provider customers
-- use, but the gateway reads them as generic OpenID Connect: the tenant fills {tenant} in
-- sso.authority-template and must equal the ID token's "tid" claim.
ALTER TABLE customers
    -- Entra's directory (tenant) id, a GUID. Restricted to URL-safe characters because it is
    -- placed into the authority URL: a '/' or '?' here would point discovery somewhere else.
    ADD COLUMN entra_tenant_id          text CHECK (entra_tenant_id ~ '^[A-Za-z0-9][A-Za-z0-9._-]{0,99}$'),
    -- The application (client) id of the gateway's app registration in that tenant.
    ADD COLUMN sso_client_id            text CHECK (length(sso_client_id) BETWEEN 1 AND 200),
    -- Where the client secret is, never the secret itself: env:NAME (an environment variable of
    -- the gateway) or file:/absolute/path (a mounted secret). A copy of this table therefore
    -- grants nothing. NULL: a public client that proves itself with PKCE alone.
    -- (PostgreSQL's regular expressions allow at most 255 repetitions, hence the separate length.)
    ADD COLUMN sso_client_secret_ref    text CHECK (sso_client_secret_ref ~ '^(env:[A-Za-z_][A-Za-z0-9_]*|file:/[^\s]+)$'
                                                    AND length(sso_client_secret_ref) <= 1024),
    -- E-mail domains whose verified addresses may link an existing account on its first Microsoft
    -- sign-in (and create one when sso_auto_create is on). Empty: only accounts already linked by
    -- their subject may sign in with Microsoft. Compared without regard to case.
    ADD COLUMN sso_allowed_email_domains text[] NOT NULL DEFAULT '{}',
    -- Create an account on the first Microsoft sign-in of an unknown person whose verified address
    -- is in an allowed domain. Off by default: who gets an account is the customer's decision.
    ADD COLUMN sso_auto_create          boolean NOT NULL DEFAULT false;

-- No CHECK that sso_mode <> 'disabled' implies a tenant and client id: rows that predate this
-- migration (and test fixtures) may have the mode without them. The gateway treats such a
-- customer as misconfigured: Microsoft sign-in answers "not set up", and with 'required' a
-- password is still refused (failing closed).

-- The provider's stable identifier of the person: Entra's "oid" (the same for every application in
-- the tenant), or "sub" from other providers. Set on the first Microsoft sign-in, then the only
-- thing that links the identity to the account: e-mail addresses and names can change or be reused.
ALTER TABLE users
    ADD COLUMN sso_subject text CHECK (length(sso_subject) BETWEEN 1 AND 255);

-- One account per identity within a customer; the same subject in two customers is two people
-- only if two tenants issued it, which the tenant check keeps apart anyway.
CREATE UNIQUE INDEX users_customer_sso_subject_key ON users (customer_id, sso_subject) WHERE sso_subject IS NOT NULL;

-- Sign-ins sent to the provider and not yet back. Kept here rather than in a cookie so that the
-- callback can be served by any node, and so that each one can be used exactly once: the callback
-- deletes the row it uses (DELETE ... RETURNING), so a replayed callback, state or nonce finds nothing.
-- Capacity: one row of about 300 bytes per started sign-in; rows live sso.request-lifetime
-- (10 min by default) and each node deletes expired rows every minute.
CREATE TABLE sso_requests (
    -- SHA-256 of the state parameter. The state travels in URLs (and so in the provider's logs);
    -- only its hash is stored, so this table cannot be used to complete someone's sign-in.
    state_hash    bytea       PRIMARY KEY CHECK (length(state_hash) = 32),
    -- SHA-256 of the __Host-gw-sso cookie of the browser that started the sign-in: the callback
    -- must come back to the same browser (login CSRF: an attacker's code and state pasted into a
    -- victim's browser would otherwise sign the victim in as the attacker).
    browser_hash  bytea       NOT NULL CHECK (length(browser_hash) = 32),
    customer_id   bigint      NOT NULL REFERENCES customers (id) ON DELETE CASCADE,
    -- Sent to the provider and expected back in the ID token.
    nonce         text        NOT NULL CHECK (length(nonce) BETWEEN 32 AND 128),
    -- The PKCE code verifier (RFC 7636); worthless without the authorization code, which only
    -- the browser and the provider see, and gone once used or expired.
    code_verifier text        NOT NULL CHECK (length(code_verifier) BETWEEN 43 AND 128),
    -- The login name typed, for logs and the audit trail; the ID token decides who signs in.
    login_hint    text        CHECK (length(login_hint) <= 254),
    -- Where to go after sign-in: a local path, checked before it was stored and again after.
    next_path     text        NOT NULL CHECK (length(next_path) BETWEEN 1 AND 2048),
    created_at    timestamptz NOT NULL,
    expires_at    timestamptz NOT NULL,
    CHECK (expires_at > created_at)
);

CREATE INDEX sso_requests_expires_at_idx ON sso_requests (expires_at);

-- Microsoft sign-ins and refusals join the audit trail. The actor of a refusal may be unknown
-- (the identity was never established), so it may be NULL like the gateway's own decisions.
ALTER TABLE audit_events DROP CONSTRAINT audit_events_action_check;
ALTER TABLE audit_events ADD CONSTRAINT audit_events_action_check CHECK (action IN
    ('block', 'unblock', 'allow-add', 'allow-remove', 'block-issued-automatic', 'sso-login', 'sso-refused'));
ALTER TABLE audit_events DROP CONSTRAINT audit_events_check;
ALTER TABLE audit_events ADD CONSTRAINT audit_events_check CHECK
    (actor IS NOT NULL OR action IN ('block-issued-automatic', 'sso-refused'));
