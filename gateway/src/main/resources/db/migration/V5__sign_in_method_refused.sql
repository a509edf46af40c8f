-- A session whose sign-in method its customer no longer allows (passwords once Microsoft sign-in is required,
-- Microsoft sign-ins once it is off) is ended at its next refresh, not only refused while the setting lasts:
-- switching back must not bring such sessions back. See docs/session.md.
ALTER TABLE sessions DROP CONSTRAINT sessions_revoked_reason_check;
ALTER TABLE sessions ADD CONSTRAINT sessions_revoked_reason_check CHECK (revoked_reason IN
    ('logout', 'admin', 'password-change', 'reuse-detected', 'user-disabled', 'sign-in-method-refused'));
