import Database

/// The schema, one numbered migration at a time, for both SQLite and PostgreSQL. Never edit a migration that
/// has shipped: add a new one.
public enum Schema {
    public static let migrations: [Migration] = [
        Migration(1, "accounts, sessions and the audit trail", """
            CREATE TABLE agencies (
                id {{ID}},
                code TEXT NOT NULL UNIQUE,
                name TEXT NOT NULL,
                kind TEXT NOT NULL,
                active BIGINT NOT NULL DEFAULT 1
            );
            CREATE TABLE users (
                id {{ID}},
                username TEXT NOT NULL UNIQUE,
                display_name TEXT NOT NULL,
                email TEXT NOT NULL DEFAULT '',
                role TEXT NOT NULL,
                agency_id BIGINT NOT NULL REFERENCES agencies(id),
                password_hash TEXT NOT NULL,
                must_change_password BIGINT NOT NULL DEFAULT 0,
                active BIGINT NOT NULL DEFAULT 1,
                created_at TEXT NOT NULL,
                updated_at TEXT NOT NULL,
                last_login_at TEXT
            );
            CREATE TABLE sessions (
                token_hash TEXT PRIMARY KEY,
                user_id BIGINT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
                csrf_token TEXT NOT NULL,
                created_at BIGINT NOT NULL,
                last_seen_at BIGINT NOT NULL,
                client_address TEXT NOT NULL
            );
            CREATE INDEX sessions_user ON sessions(user_id);
            CREATE TABLE login_failures (
                id {{ID}},
                username TEXT NOT NULL,
                client_address TEXT NOT NULL,
                occurred_at BIGINT NOT NULL
            );
            CREATE INDEX login_failures_username ON login_failures(username, occurred_at);
            CREATE INDEX login_failures_address ON login_failures(client_address, occurred_at);
            CREATE TABLE audit_log (
                sequence BIGINT PRIMARY KEY,
                occurred_at_ms BIGINT NOT NULL,
                actor_user_id BIGINT,
                actor_username TEXT NOT NULL,
                action TEXT NOT NULL,
                subject_type TEXT NOT NULL,
                subject_id TEXT NOT NULL,
                detail TEXT NOT NULL,
                client_address TEXT NOT NULL,
                previous_hash TEXT NOT NULL,
                hash TEXT NOT NULL
            );
            CREATE INDEX audit_log_subject ON audit_log(subject_type, subject_id);
            CREATE INDEX audit_log_actor ON audit_log(actor_user_id);
            CREATE TABLE audit_head (
                id BIGINT PRIMARY KEY,
                last_sequence BIGINT NOT NULL,
                last_hash TEXT NOT NULL
            );
            INSERT INTO audit_head (id, last_sequence, last_hash)
                VALUES (1, 0, '0000000000000000000000000000000000000000000000000000000000000000');
            CREATE TABLE settings (
                key TEXT PRIMARY KEY,
                value TEXT NOT NULL
            );
            """),
        Migration(2, "audit trail is append-only", sqlite: """
            CREATE TRIGGER audit_log_no_update BEFORE UPDATE ON audit_log
                BEGIN SELECT RAISE(ABORT, 'the audit trail is append-only'); END;
            CREATE TRIGGER audit_log_no_delete BEFORE DELETE ON audit_log
                BEGIN SELECT RAISE(ABORT, 'the audit trail is append-only'); END;
            """, postgres: """
            CREATE FUNCTION audit_log_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
                BEGIN RAISE EXCEPTION 'the audit trail is append-only'; END; $$;
            CREATE TRIGGER audit_log_no_change BEFORE UPDATE OR DELETE ON audit_log
                FOR EACH ROW EXECUTE FUNCTION audit_log_append_only();
            """),
        Migration(3, "user records carry a version for optimistic locking", """
            ALTER TABLE users ADD COLUMN version BIGINT NOT NULL DEFAULT 1;
            """),
    ]

    public static var migrator: Migrator { Migrator(migrations) }
}
