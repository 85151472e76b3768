-- 0008: sign-in failures count per account and per source (issue 18, findings 10 and
-- 12). A session remembers the source its sign-in came from ('local' for the desktop the
-- workspace runs on, 'ip:<address>' for a hub client, IPv6 by its /64), and a sign-in
-- for a username nobody has keeps a pending session with no user, so that it answers
-- every call like a wrong password does. Shipped: never edit.

CREATE TABLE sessions_new (
    id             INTEGER PRIMARY KEY,
    token_hash     BLOB NOT NULL UNIQUE,
    user_id        INTEGER REFERENCES users (id) ON DELETE CASCADE,
    stage          TEXT NOT NULL CHECK (stage IN ('password', 'enrol', 'active', 'locked', 'ended')),
    password_ok    INTEGER NOT NULL,
    created_at     INTEGER NOT NULL,
    last_active_at INTEGER NOT NULL,
    ended_at       INTEGER,
    source         TEXT NOT NULL DEFAULT 'local',
    -- Only a pending sign-in (or an ended one) may lack a user, and it never had a
    -- right password.
    CHECK (user_id IS NOT NULL OR (stage IN ('password', 'ended') AND password_ok = 0))
) STRICT;
INSERT INTO sessions_new
    (id, token_hash, user_id, stage, password_ok, created_at, last_active_at, ended_at)
SELECT id, token_hash, user_id, stage, password_ok, created_at, last_active_at, ended_at
FROM sessions;
DROP TABLE sessions;
ALTER TABLE sessions_new RENAME TO sessions;
CREATE INDEX sessions_user ON sessions (user_id, stage);

-- Consecutive failures per (account, source). `account` is a SHA-256 of the username
-- as the sign-in matches it (trimmed, ASCII case folded), so a username nobody has is
-- counted like a real one and no typed name (or a password typed into the name field)
-- is kept as text. The source '*' holds an unknown username's count over all sources;
-- a user's is in users.failed_attempts / users.locked_until.
CREATE TABLE sign_in_failures (
    account         BLOB NOT NULL,
    source          TEXT NOT NULL,
    failed_attempts INTEGER NOT NULL,
    locked_until    INTEGER NOT NULL,
    last_failed_at  INTEGER NOT NULL,
    PRIMARY KEY (account, source)
) STRICT, WITHOUT ROWID;
