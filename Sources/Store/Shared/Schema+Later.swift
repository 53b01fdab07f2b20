import Database

extension Schema {
    /// Actions, events and areas, and what later work needed of the records (never edit one that has shipped).
    static let later: [Migration] = [
        Migration(10, "actions on cases, with reminders and the daily overdue digest", """
            CREATE TABLE actions (
                id {{ID}},
                case_id BIGINT NOT NULL REFERENCES cases(id),
                meeting_id BIGINT REFERENCES meetings(id),
                minutes_id BIGINT REFERENCES minutes(id),
                description TEXT NOT NULL,
                owner_user_id BIGINT REFERENCES users(id),
                owner_name TEXT NOT NULL,
                owner_email TEXT NOT NULL DEFAULT '',
                owner_agency_id BIGINT NOT NULL REFERENCES agencies(id),
                due_date TEXT NOT NULL,
                status TEXT NOT NULL DEFAULT 'open',
                completion_note TEXT NOT NULL DEFAULT '',
                completed_on TEXT,
                reminder_sent_on TEXT,
                created_at TEXT NOT NULL,
                created_by BIGINT REFERENCES users(id),
                updated_at TEXT NOT NULL,
                version BIGINT NOT NULL DEFAULT 1
            );
            CREATE INDEX actions_case ON actions(case_id, status);
            CREATE INDEX actions_open_due ON actions(status, due_date);
            CREATE INDEX actions_owner ON actions(owner_user_id, status);
            """),
        Migration(11, "index of review dates by status and level, for overdue reviews and agendas", """
            CREATE INDEX cases_review_due ON cases(status, level, next_review_date);
            """),
        // Events the annual report counts. `level_at_event` 0 means not known (not NULL, so the unique index also
        // catches a re-imported row without a level). Changes of level and category by date, for the report.
        Migration(12, "events for the annual report; case history by field and date", """
            CREATE TABLE mappa_events (
                id {{ID}},
                nominal_id BIGINT NOT NULL REFERENCES nominals(id),
                event_type TEXT NOT NULL,
                event_date TEXT NOT NULL,
                level_at_event BIGINT NOT NULL DEFAULT 0,
                detail TEXT NOT NULL DEFAULT '',
                source TEXT NOT NULL,
                recorded_at TEXT NOT NULL,
                recorded_by BIGINT REFERENCES users(id)
            );
            CREATE UNIQUE INDEX mappa_events_unique ON mappa_events(nominal_id, event_type, event_date, level_at_event, detail);
            CREATE INDEX mappa_events_date ON mappa_events(event_date, event_type, level_at_event);
            CREATE INDEX case_history_field_date ON case_history(field, changed_at);
            """),
        // MAPPA areas, for a regional deployment holding several in one database. A case with no area (NULL)
        // counts only in the all-areas figures; an area is never deleted, only made inactive. The index leaves
        // out cases with no area, so a one-area database's register import does not maintain it (0.5 s of 10).
        Migration(13, "MAPPA areas; a case's area", """
            CREATE TABLE areas (
                id {{ID}},
                code TEXT NOT NULL UNIQUE,
                name TEXT NOT NULL,
                population BIGINT,
                active BIGINT NOT NULL DEFAULT 1
            );
            ALTER TABLE cases ADD COLUMN area_id BIGINT REFERENCES areas(id);
            CREATE INDEX cases_area ON cases(area_id) WHERE area_id IS NOT NULL;
            """),
        // Each search key carries the person's sort name, in the key's index, so a name search orders its
        // candidates from the index and reads only the records it shows (it read ~200 records per search before).
        // WITHOUT ROWID: the key index is the table, one b-tree fewer to write on import. The keys are rebuilt at
        // the next start (`rebuildSearchKeysIfNeeded`).
        Migration(14, "name search keys carry the sort name", sqlite: """
            DROP TABLE nominal_search_keys;
            CREATE TABLE nominal_search_keys (
                key TEXT NOT NULL,
                sort_name TEXT NOT NULL,
                nominal_id BIGINT NOT NULL REFERENCES nominals(id) ON DELETE CASCADE,
                PRIMARY KEY (key, sort_name, nominal_id)
            ) WITHOUT ROWID;
            CREATE INDEX nominal_search_keys_nominal ON nominal_search_keys(nominal_id, key);
            DELETE FROM settings WHERE key = 'search_keys_version';
            """, postgres: """
            DROP TABLE nominal_search_keys;
            CREATE TABLE nominal_search_keys (
                key TEXT COLLATE "C" NOT NULL,
                sort_name TEXT COLLATE "C" NOT NULL,
                nominal_id BIGINT NOT NULL REFERENCES nominals(id) ON DELETE CASCADE,
                PRIMARY KEY (key, sort_name, nominal_id)
            );
            CREATE INDEX nominal_search_keys_nominal ON nominal_search_keys(nominal_id, key);
            DELETE FROM settings WHERE key = 'search_keys_version';
            """),
        // A nominal's events were ten table rows on ten scattered pages (they arrive in file order, nominals
        // interleaved): the case page read each page from disk again after every audit commit. The index holds
        // everything the case page shows, in its order, on one or two pages.
        Migration(15, "a nominal's events in one index, in the order the case page lists them", """
            CREATE INDEX mappa_events_by_nominal ON mappa_events(nominal_id, event_date, id, event_type, level_at_event, source, detail);
            """),
        // A search lists 50 people with their other names: from the index alone, not 50 more table rows on
        // scattered pages.
        Migration(16, "a nominal's other names read from their index", """
            DROP INDEX nominal_aliases_nominal;
            CREATE INDEX nominal_aliases_nominal ON nominal_aliases(nominal_id, alias);
            """),
        // Standalone entries may wait in a staging file before they are chained (`AuditStaging`): the head
        // records how far through which staging file the chain has come, in the transaction that moves them.
        Migration(17, "the audit chain head records the staged entries already chained", """
            ALTER TABLE audit_head ADD COLUMN staged_file TEXT NOT NULL DEFAULT '';
            ALTER TABLE audit_head ADD COLUMN staged_through BIGINT NOT NULL DEFAULT 0;
            """),
        // A search lists 50 people with their other names: kept with the record (`AliasList`), not read in a
        // second statement. Filled by the search index rebuild the new index version brings.
        Migration(18, "a nominal's other names kept with the record for the lists that show them", """
            ALTER TABLE nominals ADD COLUMN alias_list TEXT NOT NULL DEFAULT '';
            """),
        // The case page's two forms list every agency by name: read in that order from an index, not sorted on
        // each view.
        Migration(19, "agencies in name order", """
            CREATE INDEX agencies_name ON agencies(name);
            """),
        // An administrator grants named coordinators the management of every restricted case's access list, so a
        // restricted case (one imported from the command line, say) is never left with nobody able to say who sees it.
        Migration(20, "coordinators who manage restricted cases", """
            ALTER TABLE users ADD COLUMN manages_restricted_cases BIGINT NOT NULL DEFAULT 0;
            """),
        // Every Category 4 case is restricted (`CaseVisibility`), and every write has always flagged it so: the table
        // now refuses one that is not, so the lists' need-to-know can test the flag alone, through `cases_restricted`
        // (testing the category too read every case of each person a search found).
        Migration(21, "a Category 4 case is always flagged restricted", sqlite: """
            UPDATE cases SET restricted = 1 WHERE category = 4 AND restricted = 0;
            CREATE TRIGGER cases_category_four_insert BEFORE INSERT ON cases WHEN NEW.category = 4 AND NEW.restricted = 0
            BEGIN SELECT RAISE(ABORT, 'a Category 4 case is always restricted'); END;
            CREATE TRIGGER cases_category_four_update BEFORE UPDATE OF category, restricted ON cases
            WHEN NEW.category = 4 AND NEW.restricted = 0
            BEGIN SELECT RAISE(ABORT, 'a Category 4 case is always restricted'); END;
            """, postgres: """
            UPDATE cases SET restricted = 1 WHERE category = 4 AND restricted = 0;
            ALTER TABLE cases ADD CONSTRAINT cases_category_four_restricted CHECK (category <> 4 OR restricted = 1);
            """),
        // One review date per case (`ReviewSchedule`): the stored `cases.next_review_date`, which every page, list,
        // check, indicator, export and the API now read. Active Level 2 and 3 cases stored without one are given the
        // date the case page used to show (last review, or MAPPA start, plus the configured interval), with a line in
        // their history saying so; any left without one later show "No review date set" and count as due now. An
        // agenda item keeps the review date it was due by (`review_due`, kept when the meeting is held: the minutes
        // then move the case's date on) and a time slot; a cancelled meeting its reason; a screening decision the
        // screening panel where it was made.
        Migration(22, "one review date per case; agenda time slots, review due and cancellation reasons; screening decisions at a panel", sqlite: """
            ALTER TABLE meeting_items ADD COLUMN review_due TEXT;
            ALTER TABLE meeting_items ADD COLUMN start_time TEXT NOT NULL DEFAULT '';
            ALTER TABLE meetings ADD COLUMN cancel_reason TEXT NOT NULL DEFAULT '';
            ALTER TABLE screening_decisions ADD COLUMN meeting_id BIGINT REFERENCES meetings(id);
            CREATE INDEX screening_decisions_meeting ON screening_decisions(meeting_id);
            INSERT INTO case_history (case_id, field, old_value, new_value, reason, changed_at, changed_by)
            SELECT id, 'next_review_date', '', date(COALESCE(last_reviewed_on, start_date), '+' || (7 * COALESCE((SELECT CAST(value AS INTEGER) FROM settings WHERE key = 'timescale.level3_review_weeks'), 8)) || ' days'),
                   'Review date set from the last review (or the MAPPA start date) and the Level 3 interval: every page now reads the stored date', strftime('%Y-%m-%dT%H:%M:%SZ', 'now'), NULL
            FROM cases WHERE status = 'active' AND level = 3 AND next_review_date IS NULL;
            UPDATE cases SET next_review_date = date(COALESCE(last_reviewed_on, start_date), '+' || (7 * COALESCE((SELECT CAST(value AS INTEGER) FROM settings WHERE key = 'timescale.level3_review_weeks'), 8)) || ' days'), version = version + 1
            WHERE status = 'active' AND level = 3 AND next_review_date IS NULL;
            INSERT INTO case_history (case_id, field, old_value, new_value, reason, changed_at, changed_by)
            SELECT id, 'next_review_date', '', date(COALESCE(last_reviewed_on, start_date), '+' || (7 * COALESCE((SELECT CAST(value AS INTEGER) FROM settings WHERE key = 'timescale.level2_review_weeks'), 16)) || ' days'),
                   'Review date set from the last review (or the MAPPA start date) and the Level 2 interval: every page now reads the stored date', strftime('%Y-%m-%dT%H:%M:%SZ', 'now'), NULL
            FROM cases WHERE status = 'active' AND level = 2 AND next_review_date IS NULL;
            UPDATE cases SET next_review_date = date(COALESCE(last_reviewed_on, start_date), '+' || (7 * COALESCE((SELECT CAST(value AS INTEGER) FROM settings WHERE key = 'timescale.level2_review_weeks'), 16)) || ' days'), version = version + 1
            WHERE status = 'active' AND level = 2 AND next_review_date IS NULL;
            """, postgres: """
            ALTER TABLE meeting_items ADD COLUMN review_due TEXT;
            ALTER TABLE meeting_items ADD COLUMN start_time TEXT NOT NULL DEFAULT '';
            ALTER TABLE meetings ADD COLUMN cancel_reason TEXT NOT NULL DEFAULT '';
            ALTER TABLE screening_decisions ADD COLUMN meeting_id BIGINT REFERENCES meetings(id);
            CREATE INDEX screening_decisions_meeting ON screening_decisions(meeting_id);
            INSERT INTO case_history (case_id, field, old_value, new_value, reason, changed_at, changed_by)
            SELECT id, 'next_review_date', '', to_char(CAST(COALESCE(last_reviewed_on, start_date) AS DATE) + 7 * COALESCE((SELECT CAST(value AS INTEGER) FROM settings WHERE key = 'timescale.level3_review_weeks'), 8), 'YYYY-MM-DD'),
                   'Review date set from the last review (or the MAPPA start date) and the Level 3 interval: every page now reads the stored date', to_char(now() AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS"Z"'), NULL
            FROM cases WHERE status = 'active' AND level = 3 AND next_review_date IS NULL;
            UPDATE cases SET next_review_date = to_char(CAST(COALESCE(last_reviewed_on, start_date) AS DATE) + 7 * COALESCE((SELECT CAST(value AS INTEGER) FROM settings WHERE key = 'timescale.level3_review_weeks'), 8), 'YYYY-MM-DD'), version = version + 1
            WHERE status = 'active' AND level = 3 AND next_review_date IS NULL;
            INSERT INTO case_history (case_id, field, old_value, new_value, reason, changed_at, changed_by)
            SELECT id, 'next_review_date', '', to_char(CAST(COALESCE(last_reviewed_on, start_date) AS DATE) + 7 * COALESCE((SELECT CAST(value AS INTEGER) FROM settings WHERE key = 'timescale.level2_review_weeks'), 16), 'YYYY-MM-DD'),
                   'Review date set from the last review (or the MAPPA start date) and the Level 2 interval: every page now reads the stored date', to_char(now() AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS"Z"'), NULL
            FROM cases WHERE status = 'active' AND level = 2 AND next_review_date IS NULL;
            UPDATE cases SET next_review_date = to_char(CAST(COALESCE(last_reviewed_on, start_date) AS DATE) + 7 * COALESCE((SELECT CAST(value AS INTEGER) FROM settings WHERE key = 'timescale.level2_review_weeks'), 16), 'YYYY-MM-DD'), version = version + 1
            WHERE status = 'active' AND level = 2 AND next_review_date IS NULL;
            """),
        // An action's owner is chosen from the directory: a user, or an agency contact (`owner_contact_id`), so "My
        // actions" and reminders follow the person, not text typed once. Existing owners are linked by their email
        // where it names one active user, else one contact; the rest keep the name they were given. Each action
        // names its area of the risk management plan (NULL for those recorded before: "Not recorded").
        Migration(23, "action owners from the directory; each action's area of the risk management plan", """
            ALTER TABLE actions ADD COLUMN owner_contact_id BIGINT REFERENCES agency_contacts(id);
            ALTER TABLE actions ADD COLUMN area TEXT;
            UPDATE actions SET owner_user_id = (SELECT MIN(u.id) FROM users u WHERE u.active = 1 AND u.email <> ''
                                                AND LOWER(u.email) = LOWER(actions.owner_email))
            WHERE owner_user_id IS NULL AND owner_email <> '';
            UPDATE actions SET owner_contact_id = (SELECT MIN(c.id) FROM agency_contacts c WHERE c.active = 1 AND c.email <> ''
                                                   AND LOWER(c.email) = LOWER(actions.owner_email))
            WHERE owner_user_id IS NULL AND owner_email <> '';
            CREATE INDEX actions_owner_contact ON actions(owner_contact_id, status);
            """),
            // Partner agencies reply to an invitation in the app (one reply per agency per meeting); each invitee keeps the
        // outbox message of their last invitation, so its status is read from the outbox, not assumed; minutes sent
        // another way than the app's mail are recorded (when, to whom, how).
        Migration(24, "invitation replies, invitation messages, minutes distributed another way", """
            CREATE TABLE invitation_replies (
                id {{ID}},
                meeting_id BIGINT NOT NULL REFERENCES meetings(id),
                agency_id BIGINT NOT NULL REFERENCES agencies(id),
                response TEXT NOT NULL,
                report_text TEXT NOT NULL DEFAULT '',
                report_sent BIGINT NOT NULL DEFAULT 0,
                replied_by BIGINT NOT NULL REFERENCES users(id),
                replied_at TEXT NOT NULL,
                UNIQUE (meeting_id, agency_id)
            );
            CREATE INDEX invitation_replies_agency ON invitation_replies(agency_id, meeting_id);
            ALTER TABLE meeting_invitees ADD COLUMN outbox_id BIGINT;
            CREATE TABLE minutes_distributions (
                id {{ID}},
                minutes_id BIGINT NOT NULL REFERENCES minutes(id),
                distributed_on TEXT NOT NULL,
                recipients TEXT NOT NULL,
                method TEXT NOT NULL,
                recorded_by BIGINT NOT NULL REFERENCES users(id),
                recorded_at TEXT NOT NULL
            );
            CREATE INDEX minutes_distributions_minutes ON minutes_distributions(minutes_id);
            CREATE INDEX minutes_status ON minutes(status, item_id);
            """),
        // The caseload lists every case the viewer may see, filtered and in one of three orders, a page at a time: each
        // order read from an index (cases with no date last, in both databases), not sorted at each page, and the count
        // from an index alone (12 ms for 90,000 active cases, 56 ms reading each row's restricted flag). A returned
        // referral's reasons are kept one by one with the field each concerns, for the referrer's form.
        Migration(25, "the caseload's orders and filters from indexes; a returned referral's reasons by field", """
            CREATE INDEX cases_caseload_review ON cases(status, (next_review_date IS NULL), next_review_date, id);
            CREATE INDEX cases_caseload_any_review ON cases((next_review_date IS NULL), next_review_date, id);
            CREATE INDEX cases_caseload_count ON cases(status, restricted, level, category);
            CREATE INDEX cases_lead_agency ON cases(lead_agency_id, status);
            CREATE INDEX case_agencies_agency ON case_agencies(agency_id, case_id);
            CREATE INDEX nominals_name ON nominals(family_name, given_names, id);
            CREATE INDEX nominals_release ON nominals((release_date IS NULL), release_date, id);
            CREATE INDEX referrals_status_submitted ON referrals(status, submitted_at);
            CREATE TABLE referral_return_reasons (
                id {{ID}},
                referral_id BIGINT NOT NULL REFERENCES referrals(id),
                event_id BIGINT NOT NULL REFERENCES referral_events(id),
                position BIGINT NOT NULL,
                field TEXT NOT NULL DEFAULT '',
                reason TEXT NOT NULL
            );
            CREATE INDEX referral_return_reasons_event ON referral_return_reasons(referral_id, event_id, position);
            """),
        // Deciding whether a password may be checked and recording the attempt are one step: a sign-in first locks its
        // account's row here (created on first use, for unknown usernames too), then counts the recent failures and
        // records its own attempt as one before any hashing, all in one transaction, so parallel guesses queue on the
        // row instead of all reading the same count (40 parallel guesses ran 18 argon2 checks against a limit of 5).
        Migration(27, "one lock row per account name for the sign-in throttle", """
            CREATE TABLE login_throttle_locks (
                username TEXT PRIMARY KEY,
                touched_at BIGINT NOT NULL
            );
            """),
        // Keyed audit entries (HMAC-SHA-256 with a key kept outside the database, `AuditKeyring`) record their key's
        // id; '' is plain SHA-256, as every entry before. The head records the current key's id, so a process
        // without the key file refuses to add a plain entry to a keyed chain.
        Migration(28, "audit entries record the id of the key that keyed them", """
            ALTER TABLE audit_log ADD COLUMN key_id TEXT NOT NULL DEFAULT '';
            ALTER TABLE audit_head ADD COLUMN last_key_id TEXT NOT NULL DEFAULT '';
            """),
        // The referral form is a task list: the referrer says when each section is complete (GOV.UK's "Have you
        // completed this section?"), kept as the sections' numbers ("0,2,7"), so the list can tell in progress from done.
        Migration(29, "the referral sections the referrer has marked complete", """
            ALTER TABLE referrals ADD COLUMN completed_sections TEXT NOT NULL DEFAULT '';
            """),
        // The daily pages at national scale (issue 28): an action owned by an address with no account behind it is
        // found from its own index, so "My actions" and each home queue read the viewer's actions, not every open one.
        Migration(30, "each person's actions found by the address they are owned by", """
            CREATE INDEX actions_owner_email ON actions(LOWER(owner_email)) WHERE owner_email <> '';
            """),
        // Change events for other systems (ChangeEventStore), written in the transaction of the change they report.
        // The id only grows and is the feed's cursor; case, referral and meeting say whose need-to-know applies.
        Migration(31, "change events for other systems, written with each change", """
            CREATE TABLE events_outbox (
                id {{ID}},
                event_type TEXT NOT NULL,
                occurred_at TEXT NOT NULL,
                case_id BIGINT REFERENCES cases(id),
                referral_id BIGINT REFERENCES referrals(id),
                meeting_id BIGINT REFERENCES meetings(id),
                crn TEXT NOT NULL DEFAULT '',
                pnc TEXT NOT NULL DEFAULT '',
                additional_information TEXT NOT NULL DEFAULT '{}'
            );
            CREATE INDEX events_outbox_case ON events_outbox(case_id);
            ALTER TABLE actions ADD COLUMN overdue_noted_on TEXT;
            """),
    ]
}
