import Database

/// The schema, one numbered migration at a time, for both SQLite and PostgreSQL. Never edit a migration that
/// has shipped: add a new one.
public enum Schema {
    public static let migrations: [Migration] = first + later

    /// Accounts, the audit trail, the casework records, meetings, mail, API tokens and minutes.
    static let first: [Migration] = [
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
        Migration(4, "nominals, MAPPA cases, referrals and screening", """
            CREATE TABLE nominals (
                id {{ID}},
                nominal_ref TEXT NOT NULL UNIQUE,
                family_name TEXT NOT NULL,
                given_names TEXT NOT NULL,
                date_of_birth TEXT,
                gender TEXT NOT NULL DEFAULT '',
                ethnicity TEXT NOT NULL DEFAULT '',
                pnc_id TEXT NOT NULL DEFAULT '',
                visor_ref TEXT NOT NULL DEFAULT '',
                crn TEXT NOT NULL DEFAULT '',
                current_address TEXT NOT NULL DEFAULT '',
                no_fixed_abode BIGINT NOT NULL DEFAULT 0,
                nfa_area TEXT NOT NULL DEFAULT '',
                proposed_release_address TEXT NOT NULL DEFAULT '',
                custody_status TEXT NOT NULL DEFAULT 'community',
                release_date TEXT,
                created_at TEXT NOT NULL,
                updated_at TEXT NOT NULL,
                version BIGINT NOT NULL DEFAULT 1
            );
            CREATE INDEX nominals_date_of_birth ON nominals(date_of_birth);
            CREATE TABLE nominal_aliases (
                nominal_id BIGINT NOT NULL REFERENCES nominals(id) ON DELETE CASCADE,
                alias TEXT NOT NULL
            );
            CREATE INDEX nominal_aliases_nominal ON nominal_aliases(nominal_id);
            CREATE TABLE nominal_search_keys (
                key TEXT NOT NULL,
                nominal_id BIGINT NOT NULL REFERENCES nominals(id) ON DELETE CASCADE,
                PRIMARY KEY (key, nominal_id)
            );
            CREATE INDEX nominal_search_keys_nominal ON nominal_search_keys(nominal_id, key);
            CREATE TABLE cases (
                id {{ID}},
                nominal_id BIGINT NOT NULL REFERENCES nominals(id),
                category BIGINT NOT NULL,
                level BIGINT NOT NULL DEFAULT 0,
                lead_agency_id BIGINT NOT NULL REFERENCES agencies(id),
                start_date TEXT NOT NULL,
                statutory_end_date TEXT,
                next_review_date TEXT,
                last_reviewed_on TEXT,
                rosh TEXT,
                rosh_children TEXT,
                rosh_public TEXT,
                rosh_known_adult TEXT,
                rosh_staff TEXT,
                status TEXT NOT NULL DEFAULT 'active',
                exit_date TEXT,
                exit_reason TEXT NOT NULL DEFAULT '',
                restricted BIGINT NOT NULL DEFAULT 0,
                created_at TEXT NOT NULL,
                updated_at TEXT NOT NULL,
                version BIGINT NOT NULL DEFAULT 1
            );
            CREATE INDEX cases_nominal ON cases(nominal_id);
            CREATE INDEX cases_status_level ON cases(status, level);
            CREATE TABLE case_history (
                id {{ID}},
                case_id BIGINT NOT NULL REFERENCES cases(id),
                field TEXT NOT NULL,
                old_value TEXT NOT NULL,
                new_value TEXT NOT NULL,
                reason TEXT NOT NULL DEFAULT '',
                changed_at TEXT NOT NULL,
                changed_by BIGINT
            );
            CREATE INDEX case_history_case ON case_history(case_id);
            CREATE TABLE case_agencies (
                case_id BIGINT NOT NULL REFERENCES cases(id),
                agency_id BIGINT NOT NULL REFERENCES agencies(id),
                PRIMARY KEY (case_id, agency_id)
            );
            CREATE TABLE case_access (
                case_id BIGINT NOT NULL REFERENCES cases(id),
                user_id BIGINT NOT NULL REFERENCES users(id),
                kind TEXT NOT NULL,
                PRIMARY KEY (case_id, user_id)
            );
            CREATE TABLE referrals (
                id {{ID}},
                status TEXT NOT NULL,
                form_json TEXT NOT NULL,
                referrer_user_id BIGINT NOT NULL REFERENCES users(id),
                referring_agency_id BIGINT NOT NULL REFERENCES agencies(id),
                nominal_id BIGINT REFERENCES nominals(id),
                case_id BIGINT REFERENCES cases(id),
                created_at TEXT NOT NULL,
                submitted_at TEXT,
                updated_at TEXT NOT NULL,
                version BIGINT NOT NULL DEFAULT 1
            );
            CREATE INDEX referrals_status ON referrals(status);
            CREATE INDEX referrals_referrer ON referrals(referrer_user_id);
            CREATE TABLE referral_events (
                id {{ID}},
                referral_id BIGINT NOT NULL REFERENCES referrals(id),
                event TEXT NOT NULL,
                occurred_at TEXT NOT NULL,
                user_id BIGINT REFERENCES users(id),
                note TEXT NOT NULL DEFAULT ''
            );
            CREATE INDEX referral_events_referral ON referral_events(referral_id);
            CREATE TABLE screening_decisions (
                id {{ID}},
                referral_id BIGINT NOT NULL REFERENCES referrals(id),
                decision TEXT NOT NULL,
                level BIGINT,
                recommended_level BIGINT,
                facts_json TEXT NOT NULL,
                recommendation_json TEXT NOT NULL,
                rationale TEXT NOT NULL,
                decided_on TEXT NOT NULL,
                decided_by BIGINT NOT NULL REFERENCES users(id)
            );
            """),
        Migration(5, "need-to-know indexes; search keys in byte order", sqlite: """
            CREATE INDEX cases_restricted ON cases(nominal_id) WHERE restricted = 1;
            CREATE INDEX case_access_user ON case_access(user_id, kind);
            """, postgres: """
            CREATE INDEX cases_restricted ON cases(nominal_id) WHERE restricted = 1;
            CREATE INDEX case_access_user ON case_access(user_id, kind);
            -- Prefix ranges (key >= 'n:smi' AND key < 'n:smi' || U+10FFFF) need byte order, whatever the
            -- database's locale: SQLite compares bytes already.
            ALTER TABLE nominal_search_keys ALTER COLUMN key TYPE TEXT COLLATE "C";
            """),
        Migration(6, "agency contacts, contact log, meetings, agendas, invitees and attendance", """
            CREATE TABLE agency_contacts (
                id {{ID}},
                agency_id BIGINT NOT NULL REFERENCES agencies(id),
                name TEXT NOT NULL,
                role TEXT NOT NULL DEFAULT '',
                email TEXT NOT NULL DEFAULT '',
                phone TEXT NOT NULL DEFAULT '',
                is_spoc BIGINT NOT NULL DEFAULT 0,
                active BIGINT NOT NULL DEFAULT 1,
                created_at TEXT NOT NULL,
                updated_at TEXT NOT NULL
            );
            CREATE INDEX agency_contacts_agency ON agency_contacts(agency_id);
            CREATE TABLE case_contacts (
                id {{ID}},
                case_id BIGINT NOT NULL REFERENCES cases(id),
                occurred_on TEXT NOT NULL,
                direction TEXT NOT NULL,
                agency_id BIGINT NOT NULL REFERENCES agencies(id),
                person TEXT NOT NULL DEFAULT '',
                method TEXT NOT NULL,
                summary TEXT NOT NULL,
                recorded_by BIGINT NOT NULL REFERENCES users(id),
                recorded_at TEXT NOT NULL
            );
            CREATE INDEX case_contacts_case ON case_contacts(case_id, occurred_on);
            CREATE TABLE meeting_series (
                id {{ID}},
                kind TEXT NOT NULL,
                name TEXT NOT NULL,
                created_at TEXT NOT NULL
            );
            CREATE TABLE meetings (
                id {{ID}},
                series_id BIGINT REFERENCES meeting_series(id),
                kind TEXT NOT NULL,
                title TEXT NOT NULL,
                meeting_date TEXT NOT NULL,
                start_time TEXT NOT NULL,
                duration_minutes BIGINT NOT NULL,
                venue TEXT NOT NULL DEFAULT '',
                online_link TEXT NOT NULL DEFAULT '',
                chair_user_id BIGINT REFERENCES users(id),
                chair_grade TEXT,
                status TEXT NOT NULL DEFAULT 'scheduled',
                uid TEXT NOT NULL UNIQUE,
                sequence BIGINT NOT NULL DEFAULT 0,
                papers_sent_on TEXT,
                version BIGINT NOT NULL DEFAULT 1,
                created_at TEXT NOT NULL,
                updated_at TEXT NOT NULL
            );
            CREATE INDEX meetings_date ON meetings(meeting_date);
            CREATE TABLE meeting_items (
                id {{ID}},
                meeting_id BIGINT NOT NULL REFERENCES meetings(id),
                case_id BIGINT NOT NULL REFERENCES cases(id),
                position BIGINT NOT NULL,
                review_type TEXT NOT NULL,
                reason TEXT NOT NULL DEFAULT '',
                confidentiality_acknowledged BIGINT NOT NULL DEFAULT 0,
                UNIQUE (meeting_id, case_id)
            );
            CREATE INDEX meeting_items_case ON meeting_items(case_id);
            CREATE TABLE meeting_invitees (
                id {{ID}},
                meeting_id BIGINT NOT NULL REFERENCES meetings(id),
                agency_id BIGINT NOT NULL REFERENCES agencies(id),
                name TEXT NOT NULL,
                email TEXT NOT NULL,
                confirmed BIGINT NOT NULL DEFAULT 0,
                invited_sequence BIGINT,
                UNIQUE (meeting_id, email)
            );
            CREATE INDEX meeting_invitees_agency ON meeting_invitees(agency_id, meeting_id);
            CREATE TABLE attendance (
                id {{ID}},
                meeting_id BIGINT NOT NULL REFERENCES meetings(id),
                item_id BIGINT REFERENCES meeting_items(id),
                agency_id BIGINT NOT NULL REFERENCES agencies(id),
                person TEXT NOT NULL DEFAULT '',
                status TEXT NOT NULL,
                recorded_at TEXT NOT NULL
            );
            CREATE INDEX attendance_meeting ON attendance(meeting_id);
            """),
        // The transactional outbox for mail (Outbox.swift). `recipients` holds addresses only; the message itself
        // is in `mail_json`. `next_attempt_at` (Unix seconds) is when a queued message is due, or when the claim
        // on a message being sent lapses. meeting_id and case_id carry no foreign key so mail can be queued for
        // any record and the table does not depend on the order other tables were added in.
        Migration(7, "mail outbox", """
            CREATE TABLE outbox (
                id {{ID}},
                created_at TEXT NOT NULL,
                purpose TEXT NOT NULL,
                mail_json TEXT NOT NULL,
                recipients TEXT NOT NULL,
                recipient_count BIGINT NOT NULL,
                status TEXT NOT NULL DEFAULT 'queued',
                attempts BIGINT NOT NULL DEFAULT 0,
                next_attempt_at BIGINT NOT NULL,
                last_error TEXT NOT NULL DEFAULT '',
                sent_at TEXT,
                meeting_id BIGINT NULL,
                case_id BIGINT NULL
            );
            CREATE INDEX outbox_due ON outbox(status, next_attempt_at);
            CREATE INDEX outbox_meeting ON outbox(meeting_id);
            CREATE INDEX outbox_case ON outbox(case_id);
            """),
        Migration(8, "API bearer tokens", """
            CREATE TABLE api_tokens (
                id {{ID}},
                user_id BIGINT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
                name TEXT NOT NULL,
                token_hash TEXT NOT NULL UNIQUE,
                created_at TEXT NOT NULL,
                last_used_at TEXT,
                expires_at TEXT NOT NULL,
                revoked_at TEXT
            );
            CREATE INDEX api_tokens_user ON api_tokens(user_id);
            """),
        Migration(9, "minutes of case discussions, with versions", """
            CREATE TABLE minutes (
                id {{ID}},
                meeting_id BIGINT NOT NULL REFERENCES meetings(id),
                item_id BIGINT NOT NULL REFERENCES meeting_items(id),
                case_id BIGINT NOT NULL REFERENCES cases(id),
                version_number BIGINT NOT NULL,
                status TEXT NOT NULL,
                content_json TEXT NOT NULL,
                chair_comments TEXT NOT NULL DEFAULT '',
                change_note TEXT NOT NULL DEFAULT '',
                created_at TEXT NOT NULL,
                created_by BIGINT NOT NULL REFERENCES users(id),
                updated_at TEXT NOT NULL,
                submitted_at TEXT,
                approved_at TEXT,
                approved_by BIGINT REFERENCES users(id),
                distributed_at TEXT,
                version BIGINT NOT NULL DEFAULT 1,
                UNIQUE (item_id, version_number)
            );
            CREATE INDEX minutes_case ON minutes(case_id);
            CREATE INDEX minutes_meeting ON minutes(meeting_id);
            """),
    ]

    public static var migrator: Migrator { Migrator(migrations) }
}
