-- 0011: passwords can be changed (issue 18, finding 11), and the sessions that migration
-- 0008 marked 'local' without knowing end (review of finding 12). Shipped: never edit.

-- A user who must choose a new password at their next sign-in, before any session of
-- theirs becomes active: every user an admin creates (the admin typed the first
-- password), a user whose authenticator was reset, and one an admin asks to.
ALTER TABLE users ADD COLUMN must_change_password INTEGER NOT NULL DEFAULT 0;

-- Until now no password could be changed, so every user an admin created (not the one
-- who created the workspace: they typed their own) still signs in with the password the
-- admin typed.
UPDATE users SET must_change_password = 1
WHERE EXISTS (
    SELECT 1 FROM audit_events a
    WHERE a.kind = 'user_created' AND a.subject = 'user:' || users.id
      AND a.actor_id IS NOT users.id
);

-- 0008 copied every session with the source 'local', a hub client's too. Which live
-- 'local' session predates it cannot be told now, so all of them end (as of their last
-- activity) and are marked 'legacy', which no sign-in treats as the local desktop.
UPDATE sessions
SET stage = 'ended', ended_at = coalesce(ended_at, last_active_at), source = 'legacy'
WHERE source = 'local' AND stage != 'ended';
