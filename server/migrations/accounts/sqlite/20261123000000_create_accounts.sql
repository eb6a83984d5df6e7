-- Accounts: one per person, shared by every lab. Usernames keep the case typed at
-- registration; username_key (lower case) makes them unique regardless of case.
CREATE TABLE accounts (
    id            INTEGER PRIMARY KEY AUTOINCREMENT,
    username      TEXT    NOT NULL,
    username_key  TEXT    NOT NULL UNIQUE,
    password_hash TEXT    NOT NULL,
    created_at    INTEGER NOT NULL
);
