-- block-lifted: the gateway lifting an automatic block whose row it wrote after an unblock had committed without
-- seeing it (the unblock's own event lists no such block). Without an event of its own the audit trail showed the
-- block issued and never lifted, while the row says it was (see docs/blocks.md). Like block-issued-automatic, it is
-- the gateway's own doing: no actor. The rest as V4 left it.
ALTER TABLE audit_events DROP CONSTRAINT audit_events_action_check;
ALTER TABLE audit_events ADD CONSTRAINT audit_events_action_check CHECK (action IN
    ('block', 'unblock', 'allow-add', 'allow-remove', 'block-issued-automatic', 'sso-login', 'sso-refused',
     'block-lifted'));
ALTER TABLE audit_events DROP CONSTRAINT audit_events_check;
ALTER TABLE audit_events ADD CONSTRAINT audit_events_check CHECK
    (actor IS NOT NULL OR action IN ('block-issued-automatic', 'sso-refused', 'block-lifted'));
