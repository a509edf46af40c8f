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

-- A node of the build before this one (still running during a rolling upgrade) stores sessions without a stamp:
-- stamp them as this build's insert does (SessionStore), or an upgraded node would take them for sessions whose
-- password changed and end them at their first refresh, signing out everyone who signed in during the rollout.
CREATE FUNCTION sessions_password_stamp() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF NEW.password_stamp IS NULL THEN
    NEW.password_stamp := (SELECT sha256(convert_to(password_hash, 'UTF8')) FROM users WHERE id = NEW.user_id);
  END IF;
  RETURN NEW;
END
$$;
CREATE TRIGGER sessions_password_stamp BEFORE INSERT ON sessions
  FOR EACH ROW EXECUTE FUNCTION sessions_password_stamp();
