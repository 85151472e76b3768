-- 0020: who each e-mail was from and to (issue 22 item 1). Every address on a thread
-- (the sender, To and Cc of the customer's mail; To, Cc and Bcc of ours) is kept per
-- message: reply-all is made from it, a copied-in person's own mail joins the thread,
-- and a privacy request finds the threads a person was only copied in on. Gone with the
-- message. Shipped: never edit.
CREATE TABLE email_addresses (
    message_id INTEGER NOT NULL REFERENCES messages (id) ON DELETE CASCADE,
    role       TEXT NOT NULL CHECK (role IN ('from', 'to', 'cc', 'bcc')),
    address    TEXT NOT NULL CHECK (length(address) <= 320),
    name       TEXT NOT NULL DEFAULT '' CHECK (length(name) <= 200),
    PRIMARY KEY (message_id, role, address)
) STRICT, WITHOUT ROWID;
CREATE INDEX email_addresses_address ON email_addresses (address);
