-- The same schema as the SQLite migrations, in PostgreSQL's types (BIGINT everywhere, so the
-- code reads the same i64 from both databases).
CREATE TABLE accounts (
    id BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    username TEXT NOT NULL,
    username_key TEXT NOT NULL UNIQUE,
    password_hash TEXT NOT NULL,
    created_at BIGINT NOT NULL
);
