#!/usr/bin/env python3
"""Loads the rest of the national-scale benchmark data into a database that already holds the register.

  generate_casework.py events --rows 1000000 [--seed 11] > events.csv
      the events file (DESIGN.md "Events import") for nominals N0000001.. of bench/generate_register.py,
      imported and timed through `mappa import events` by bench/run.
  generate_casework.py load (--sqlite PATH | --postgres URL) [--meetings 20000] [--actions 100000] [--seed 11]
      meetings (Level 2/3 panels, three cases each) with attendance and approved minutes for the ones held, and
      actions on cases, written straight into the tables (the app has no bulk import for them). SQLite through
      Python's sqlite3; PostgreSQL through psql's \\copy.

Deterministic from the seed; synthetic text only.
"""
import argparse
import csv
import datetime
import io
import json
import os
import random
import sqlite3
import subprocess
import sys
import tempfile

EVENT_TYPES = ["notification_breach", "lifetime_notification_revoked", "shpo", "interim_shpo", "notification_order",
               "interim_notification_order", "foreign_travel_restriction", "sro_breach_notification",
               "returned_to_custody_licence", "returned_to_custody_order", "sfo_charged", "serious_case_review"]
EVENT_WEIGHTS = [20, 2, 25, 5, 3, 1, 4, 2, 25, 6, 5, 2]
FIRST_DAY = datetime.date(2019, 4, 1)
LAST_DAY = datetime.date(2026, 11, 20)
MINUTES = {
    "actions": [], "anyDisagreement": False, "decisions": [{"decision": "Remain at Level 2", "rationale": "Synthetic rationale"}],
    "disclosureBy": "Police", "disclosureConsidered": True, "disclosureDecision": "No disclosure",
    "disclosureRationale": "Synthetic", "disclosureTo": "", "dissent": "", "diversity": "None identified (synthetic)",
    "interventionsAndTreatment": "Synthetic programme", "leadAgency": "probation", "levelDecision": 2,
    "monitoringAndControl": "Licence conditions (synthetic)", "newInformation": [], "riskAssessment": "Synthetic risk assessment",
    "rosh": "high", "roshByGroup": [], "supervision": "Weekly (synthetic)", "victimIssues": "Synthetic victim issues",
    "victimSafetyPlanning": "Synthetic plan",
}


def day(rng, first=FIRST_DAY, last=LAST_DAY):
    return first + datetime.timedelta(days=rng.randint(0, (last - first).days))


def events(args):
    rng = random.Random(args.seed)
    out = csv.writer(sys.stdout, lineterminator="\n")
    out.writerow(["nominal_ref", "event_type", "event_date", "level_at_event", "detail"])
    for index in range(args.rows):
        event_type = rng.choices(EVENT_TYPES, weights=EVENT_WEIGHTS)[0]
        level = rng.choices(["1", "2", "3", ""], weights=[70, 20, 3, 7])[0]
        out.writerow([f"N{rng.randint(1, args.nominals):07d}", event_type, day(rng).isoformat(), level, f"Synthetic event {index}"])


class Target:
    """Reads ids and bulk-writes rows, the same way for both engines."""

    def __init__(self, args):
        self.sqlite = sqlite3.connect(args.sqlite) if args.sqlite else None
        self.url = args.postgres

    def query(self, sql):
        if self.sqlite:
            return self.sqlite.execute(sql).fetchall()
        output = subprocess.run(["psql", "-At", "-F", "\t", self.url, "-c", sql], check=True, capture_output=True, text=True).stdout
        return [tuple(line.split("\t")) for line in output.splitlines() if line]

    def write(self, table, columns, rows):
        if self.sqlite:
            placeholders = ", ".join("?" for _ in columns)
            self.sqlite.executemany(f"INSERT INTO {table} ({', '.join(columns)}) VALUES ({placeholders})", rows)
            return
        with tempfile.NamedTemporaryFile("w", suffix=".csv", delete=False, newline="") as handle:
            writer = csv.writer(handle, lineterminator="\n")
            for row in rows:
                writer.writerow(["\\N" if value is None else value for value in row])
            path = handle.name
        try:
            subprocess.run(["psql", "-q", self.url, "-c",
                            f"\\copy {table} ({', '.join(columns)}) FROM '{path}' WITH (FORMAT csv, NULL '\\N')"], check=True)
        finally:
            os.unlink(path)

    def finish(self, tables):
        if self.sqlite:
            self.sqlite.commit()
            self.sqlite.execute("ANALYZE")
            self.sqlite.close()
            return
        for table in tables:
            self.query(f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), (SELECT MAX(id) FROM {table}))")
        self.query("ANALYZE")


def load(args):
    rng = random.Random(args.seed)
    target = Target(args)
    panel_cases = [int(row[0]) for row in target.query("SELECT id FROM cases WHERE level IN (2, 3) ORDER BY id")]
    all_cases = [int(row[0]) for row in target.query("SELECT id FROM cases ORDER BY id")]
    agencies = {row[1]: int(row[0]) for row in target.query("SELECT id, code FROM agencies")}
    author = int(target.query("SELECT id FROM users WHERE username = 'demo.coordinator'")[0][0])
    base = 1_000_000  # above anything the demo made
    stamp = "2026-01-01T09:00:00Z"
    meetings, items, attendance, minutes, actions = [], [], [], [], []
    content = json.dumps(MINUTES, sort_keys=True)
    core = [agencies[code] for code in ("police", "probation", "prison", "housing") if code in agencies]
    for index in range(args.meetings):
        meeting_id = base + index
        when = day(rng, datetime.date(2022, 4, 1), datetime.date(2027, 3, 1))
        held = when < datetime.date(2026, 11, 20)
        kind = "level_3" if rng.random() < 0.1 else "level_2"
        meetings.append((meeting_id, kind, f"Synthetic {kind.replace('_', ' ')} panel {index}", when.isoformat(), "10:00", 180,
                         "Synthetic venue", "", None, "strategic" if kind == "level_3" else "manager",
                         "held" if held else "scheduled", f"bench-{index}@mappa-coordinator", 0, None, 1, stamp, stamp))
        for position, case_id in enumerate(rng.sample(panel_cases, 3)):
            item_id = base * 2 + index * 3 + position
            items.append((item_id, meeting_id, case_id, position + 1, "review", "Review due", 1 if held else 0))
            if held:
                minutes.append((base * 3 + index * 3 + position, meeting_id, item_id, case_id, 1, "distributed", content, "", "",
                                stamp, author, stamp, stamp, stamp, author, stamp, 1))
        if held:
            for agency in core:
                attendance.append((meeting_id, None, agency, "Synthetic attendee",
                                   rng.choices(["attended", "apologies", "report_sent", "did_not_attend"], weights=[80, 8, 8, 4])[0], stamp))
    for index in range(args.actions):
        due = day(rng, datetime.date(2023, 1, 1), datetime.date(2027, 6, 1))
        status = "open" if due > datetime.date(2026, 10, 1) or rng.random() < 0.1 else rng.choice(["done", "done", "done", "cancelled"])
        actions.append((rng.choice(all_cases), f"Synthetic action {index}", None, f"Synthetic owner {index % 500}", "",
                        rng.choice(list(agencies.values())), due.isoformat(), status, "Done (synthetic)" if status == "done" else "",
                        due.isoformat() if status == "done" else None, stamp, stamp))
    target.write("meetings", ["id", "kind", "title", "meeting_date", "start_time", "duration_minutes", "venue", "online_link",
                              "chair_user_id", "chair_grade", "status", "uid", "sequence", "papers_sent_on", "version",
                              "created_at", "updated_at"], meetings)
    target.write("meeting_items", ["id", "meeting_id", "case_id", "position", "review_type", "reason",
                                   "confidentiality_acknowledged"], items)
    target.write("attendance", ["meeting_id", "item_id", "agency_id", "person", "status", "recorded_at"], attendance)
    target.write("minutes", ["id", "meeting_id", "item_id", "case_id", "version_number", "status", "content_json", "chair_comments",
                             "change_note", "created_at", "created_by", "updated_at", "submitted_at", "approved_at", "approved_by",
                             "distributed_at", "version"], minutes)
    target.write("actions", ["case_id", "description", "owner_user_id", "owner_name", "owner_email", "owner_agency_id", "due_date",
                             "status", "completion_note", "completed_on", "created_at", "updated_at"], actions)
    target.finish(["meetings", "meeting_items", "attendance", "minutes", "actions"])
    print(f"loaded {len(meetings)} meetings, {len(items)} agenda items, {len(attendance)} attendance records, "
          f"{len(minutes)} minutes, {len(actions)} actions", file=sys.stderr)


def main():
    parser = argparse.ArgumentParser()
    commands = parser.add_subparsers(dest="command", required=True)
    event_parser = commands.add_parser("events")
    event_parser.add_argument("--rows", type=int, default=1_000_000)
    event_parser.add_argument("--nominals", type=int, default=100_000)
    event_parser.add_argument("--seed", type=int, default=11)
    load_parser = commands.add_parser("load")
    load_parser.add_argument("--sqlite")
    load_parser.add_argument("--postgres")
    load_parser.add_argument("--meetings", type=int, default=20_000)
    load_parser.add_argument("--actions", type=int, default=100_000)
    load_parser.add_argument("--seed", type=int, default=11)
    args = parser.parse_args()
    if args.command == "events":
        events(args)
    elif bool(args.sqlite) == bool(args.postgres):
        parser.error("load needs exactly one of --sqlite and --postgres")
    else:
        load(args)


if __name__ == "__main__":
    main()
