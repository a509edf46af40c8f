-- Customers (tenants) and their users: what password login and SSO need to decide who may in.

CREATE TABLE customers (
    -- Identity rather than bigserial: the sequence belongs to the column and cannot be
    -- written by mistake without OVERRIDING SYSTEM VALUE.
    id                      bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    -- Stable, URL-safe name used in login URLs and configuration; the id never leaves the gateway.
    slug                    text        NOT NULL UNIQUE
                                        CHECK (slug ~ '^[a-z0-9][a-z0-9-]{0,62}$'),
    name                    text        NOT NULL,
    -- text plus CHECK rather than an enum type: adding a mode later is one constraint swap,
    -- while ALTER TYPE ... ADD VALUE cannot run inside a migration's transaction on older servers.
    sso_mode                text        NOT NULL DEFAULT 'disabled'
                                        CHECK (sso_mode IN ('disabled', 'optional', 'required')),
    -- Strength score 0..4 of the estimator (zxcvbn scale); 3 keeps guessable passwords out
    -- while still allowing long passphrases of common words.
    min_password_score      smallint    NOT NULL DEFAULT 3 CHECK (min_password_score BETWEEN 0 AND 4),
    min_password_length     integer     NOT NULL DEFAULT 8 CHECK (min_password_length >= 1),
    -- NIST SP 800-63B: allow at least 64 characters so passphrases and password managers work.
    max_password_length     integer     NOT NULL DEFAULT 128 CHECK (max_password_length >= 64),
    -- Refuse a password seen this many times or more in the breach corpus; 1 = seen at all.
    breached_min_prevalence integer     NOT NULL DEFAULT 1 CHECK (breached_min_prevalence >= 1),
    created_at              timestamptz NOT NULL DEFAULT now(),
    CHECK (min_password_length <= max_password_length)
);

CREATE TABLE users (
    id            bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    -- RESTRICT: deleting a customer with users is a decision, not a side effect of a typo.
    customer_id   bigint      NOT NULL REFERENCES customers (id) ON DELETE RESTRICT,
    login_name    text        NOT NULL CHECK (length(login_name) BETWEEN 1 AND 254),
    email         text,
    -- Django's format pbkdf2_sha256$<iterations>$<salt>$<base64 hash>, so an existing Django
    -- user table can be carried over as is. NULL for users who may only sign in with SSO.
    -- No CHECK on the format: Django tables also hold unusable ('!...') and other hashers'
    -- values; the verifier treats any value it cannot parse as a failed password.
    password_hash text,
    active        boolean     NOT NULL DEFAULT true,
    roles         text[]      NOT NULL DEFAULT '{}',
    created_at    timestamptz NOT NULL DEFAULT now(),
    updated_at    timestamptz NOT NULL DEFAULT now()
);

-- Login names are unique regardless of case across the whole gateway, because the login form
-- asks for a name and not a customer: "Alice" and "alice" must not be two accounts, and the
-- lookup (WHERE lower(login_name) = lower($1)) uses this index. lower() folds by the database's
-- LC_CTYPE; LocalPostgres creates clusters with C.UTF-8 so non-ASCII letters fold too.
CREATE UNIQUE INDEX users_login_name_lower_key ON users (lower(login_name));

-- Listing and administering a customer's users.
CREATE INDEX users_customer_id_idx ON users (customer_id);
