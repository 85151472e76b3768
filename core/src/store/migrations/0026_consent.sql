-- Consent per customer and channel (issue 21 item 8): whether they agreed to be
-- contacted (given or refused; no row: unknown), when and how (a keyword they sent, a
-- form, or recorded by an agent). Goes with the customer (erasure).
CREATE TABLE contact_consent (
    contact_id  INTEGER NOT NULL REFERENCES contacts (id) ON DELETE CASCADE,
    channel     TEXT NOT NULL CHECK (channel IN ('whatsapp', 'messenger', 'email')),
    state       TEXT NOT NULL CHECK (state IN ('given', 'refused')),
    source      TEXT NOT NULL CHECK (source IN ('keyword', 'form', 'agent')),
    recorded_at INTEGER NOT NULL,
    recorded_by INTEGER REFERENCES users (id) ON DELETE SET NULL,
    PRIMARY KEY (contact_id, channel)
) STRICT;

-- Per channel account: templates only to customers who opted in, and a privacy notice
-- sent once to each customer who writes.
CREATE TABLE account_consent (
    account_id     INTEGER PRIMARY KEY REFERENCES channel_accounts (id) ON DELETE CASCADE,
    require_opt_in INTEGER NOT NULL DEFAULT 0 CHECK (require_opt_in IN (0, 1)),
    privacy_notice TEXT
) STRICT;

-- Who got an account's privacy notice (once each).
CREATE TABLE privacy_notices_sent (
    account_id INTEGER NOT NULL REFERENCES channel_accounts (id) ON DELETE CASCADE,
    contact_id INTEGER NOT NULL REFERENCES contacts (id) ON DELETE CASCADE,
    sent_at    INTEGER NOT NULL,
    PRIMARY KEY (account_id, contact_id)
) STRICT;
