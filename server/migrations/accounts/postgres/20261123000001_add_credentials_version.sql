-- Bumped at every password change. Sessions, signed cookies and JWTs remember the version
-- they were issued under; an older version means "issued before the password changed": revoked.
ALTER TABLE accounts ADD COLUMN credentials_version BIGINT NOT NULL DEFAULT 1;
