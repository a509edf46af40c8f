-- The password a session was opened under, so that a password changed past the gateway (Django's own change or
-- reset pages, its admin: they write users.password_hash directly) ends the sessions opened before it, as
-- Django's update_session_auth_hash does for its own sessions. See docs/session.md.
--
-- SHA-256 of users.password_hash when the session was issued (NULL: the user had none). Not a secret beyond the
-- hash itself, which stays in users; a refresh compares it with the hash's current digest. The gateway's own
-- password change and its rehash at login (the same password, more iterations) move it for the sessions they keep.
ALTER TABLE sessions ADD COLUMN password_stamp bytea CHECK (length(password_stamp) = 32);

-- Sessions open at the upgrade keep working: stamped with the hash their user has now.
UPDATE sessions s SET password_stamp = sha256(convert_to(u.password_hash, 'UTF8'))
  FROM users u WHERE u.id = s.user_id AND u.password_hash IS NOT NULL;
