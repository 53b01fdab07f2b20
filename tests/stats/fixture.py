"""A synthetic case register and events file with known annual report answers (DESIGN.md "Annual report").

Every case is made for one purpose (eligible on 31 March, managed at Level 2/3 during the year, in custody, exited
during or before the year, started after it, level not set) and the expected figure is counted as each one is made,
so the answers do not come from the code under test. Deterministic from the seed; names are invented
("Fixture…"), never real people.
"""

import datetime
import random

YEAR_START = datetime.date(2025, 4, 1)
YEAR_END = datetime.date(2026, 3, 31)
POPULATION = 1_234_567

REGISTER_COLUMNS = ["nominal_ref", "family_name", "given_names", "aliases", "date_of_birth", "gender", "ethnicity",
                    "pnc_id", "visor_ref", "crn", "category", "level", "lead_agency", "mappa_start_date",
                    "statutory_end_date", "next_review_date", "rosh", "custody_status", "release_date", "status",
                    "exit_date", "exit_reason"]
EVENT_TYPES = ["notification_breach", "lifetime_notification_revoked", "shpo", "interim_shpo", "notification_order",
               "interim_notification_order", "foreign_travel_restriction", "sro_breach_notification",
               "returned_to_custody_licence", "returned_to_custody_order", "sfo_charged", "serious_case_review"]
BY_LEVEL = {"returned_to_custody_licence", "returned_to_custody_order", "sfo_charged"}
CATEGORY_COLUMNS = ["category_1", "category_2", "category_3", "category_4", "total"]


def day_between(rng, first, last):
    return first + datetime.timedelta(days=rng.randint(0, (last - first).days))


class Fixture:
    def __init__(self, seed=20260331):
        rng = random.Random(seed)
        self.rows = []
        self.events = []
        self.expected = {}
        eligible = {(level, category): 0 for level in ("level_1", "level_2", "level_3", "total") for category in range(1, 5)}
        in_year = {(level, category): 0 for level in ("level_2", "level_3") for category in range(1, 5)}
        letters = "abcdefghijklmnopqrstuvwxyz"

        def add(category, level, custody="community", start=None, exit_date=None):
            number = len(self.rows) + 1
            start = start or day_between(rng, datetime.date(2012, 1, 1), datetime.date(2025, 3, 1))
            self.rows.append({
                "nominal_ref": f"FX-{number:05d}",
                "family_name": "Fixture" + letters[number % 26] + letters[(number // 26) % 26] + letters[(number // 676) % 26],
                "given_names": rng.choice(["Alex", "Sam", "Jo", "Robin", "Charlie", "Morgan"]),
                "aliases": "",
                "date_of_birth": day_between(rng, datetime.date(1950, 1, 1), datetime.date(2000, 12, 31)).isoformat(),
                "gender": rng.choice(["Male", "Female"]), "ethnicity": "Not stated (synthetic)",
                "pnc_id": "", "visor_ref": "", "crn": "",
                "category": str(category), "level": "" if level is None else str(level),
                "lead_agency": rng.choice(["probation", "police", "prison"]),
                "mappa_start_date": start.isoformat(), "statutory_end_date": "", "next_review_date": "",
                "rosh": rng.choice(["low", "medium", "high", "very high"]), "custody_status": custody,
                "release_date": "", "status": "exited" if exit_date else "active",
                "exit_date": exit_date.isoformat() if exit_date else "",
                "exit_reason": "Registration period ended (synthetic)" if exit_date else "",
            })

        for category in range(1, 5):
            for level in (1, 2, 3):
                if category == 3 and level == 1:
                    continue  # Category 3 is managed only at Level 2 or 3
                # In the community on 31 March: eligible, and at Level 2/3 during the year.
                for _ in range(rng.randint(0, 7)):
                    add(category, level)
                    eligible[(f"level_{level}", category)] += 1
                    eligible[("total", category)] += 1
                    if level >= 2:
                        in_year[(f"level_{level}", category)] += 1
                # In custody or detained in hospital: not eligible in the community; still managed in the year.
                for _ in range(rng.randint(0, 3)):
                    add(category, level, custody=rng.choice(["custody", "hospital"]))
                    if level >= 2:
                        in_year[(f"level_{level}", category)] += 1
                # Exited during the year (31 March included: out of MAPPA that day).
                for index in range(rng.randint(0, 3)):
                    exit_date = YEAR_END if index == 0 else day_between(rng, YEAR_START + datetime.timedelta(days=1), YEAR_END)
                    add(category, level, exit_date=exit_date)
                    if level >= 2:
                        in_year[(f"level_{level}", category)] += 1
                # Exited before the year began (1 April included: gone on its first day), or started after it ended.
                for index in range(rng.randint(0, 2)):
                    add(category, level, exit_date=YEAR_START if index == 0 else datetime.date(2024, 11, 5),
                        start=datetime.date(2010, 1, 1))
                for _ in range(rng.randint(0, 2)):
                    add(category, level, start=day_between(rng, datetime.date(2026, 4, 1), datetime.date(2026, 11, 1)))
            # Level not set: in the totals only.
            for _ in range(rng.randint(0, 2)):
                add(category, None)
                eligible[("total", category)] += 1

        for (level, category), count in eligible.items():
            self.expected[("eligible_on_31_march", level, f"category_{category}")] = count
        for level in ("level_1", "level_2", "level_3", "total"):
            self.expected[("eligible_on_31_march", level, "total")] = sum(eligible[(level, c)] for c in range(1, 5))
        for (level, category), count in in_year.items():
            self.expected[("level_2_3_in_year", level, f"category_{category}")] = count
        for category in range(1, 5):
            self.expected[("level_2_3_in_year", "total", f"category_{category}")] = (
                in_year[("level_2", category)] + in_year[("level_3", category)])
        for level in ("level_2", "level_3"):
            self.expected[("level_2_3_in_year", level, "total")] = sum(in_year[(level, c)] for c in range(1, 5))
        self.expected[("level_2_3_in_year", "total", "total")] = sum(in_year.values())
        rate = eligible[("total", 1)] * 100_000 / POPULATION
        self.expected[("rsos_per_100k", "rate", "value")] = f"{rate:.2f}"

        # Events: some in the year, and decoys on the days either side of it.
        references = [row["nominal_ref"] for row in self.rows]
        for event_type in EVENT_TYPES:
            counts = {"count": 0, "level_1": 0, "level_2": 0, "level_3": 0}
            for index in range(rng.randint(0, 9)):
                level = rng.choice(["", "1", "2", "3"])
                when = [YEAR_START, YEAR_END][index] if index < 2 else day_between(rng, YEAR_START, YEAR_END)
                self.events.append((rng.choice(references), event_type, when.isoformat(), level, f"Fixture event {len(self.events)}"))
                counts["count"] += 1
                if level:
                    counts[f"level_{level}"] += 1
            for when in (YEAR_START - datetime.timedelta(days=1), YEAR_END + datetime.timedelta(days=1)):
                self.events.append((rng.choice(references), event_type, when.isoformat(), "2", f"Fixture event {len(self.events)}"))
            self.expected[("events", event_type, "count")] = counts["count"]
            if event_type in BY_LEVEL:
                for level in ("level_1", "level_2", "level_3"):
                    self.expected[("events", event_type, level)] = counts[level]

        for key, value in list(self.expected.items()):
            self.expected[key] = str(value)

    def register_csv(self):
        lines = [",".join(REGISTER_COLUMNS)]
        lines += [",".join(row[column] for column in REGISTER_COLUMNS) for row in self.rows]
        return "\n".join(lines) + "\n"

    def events_csv(self):
        lines = ["nominal_ref,event_type,event_date,level_at_event,detail"]
        lines += [",".join(event) for event in self.events]
        return "\n".join(lines) + "\n"


def history_register(changed, today):
    """Five cases (all from 2020, in the community) for the level-history check: `changed` is the register after
    the second import, which makes its changes `today`."""
    rows = {"H1": (1, 1), "H2": (2, 3), "H3": (1, 2), "H4": (3, 2), "H5": (2, 1)}
    if changed:
        rows.update({"H1": (1, 3), "H2": (2, 1), "H4": (3, 3)})
    lines = [",".join(REGISTER_COLUMNS)]
    for index, (reference, (category, level)) in enumerate(sorted(rows.items())):
        exited = changed and reference == "H3"
        values = {column: "" for column in REGISTER_COLUMNS}
        values.update({"nominal_ref": reference, "family_name": "Historycase" + "abcde"[index], "given_names": "Jo",
                       "date_of_birth": "1970-01-01", "category": str(category), "level": str(level),
                       "lead_agency": "probation", "mappa_start_date": "2020-01-01", "custody_status": "community",
                       "status": "exited" if exited else "active", "exit_date": today.isoformat() if exited else "",
                       "exit_reason": "Died (synthetic)" if exited else ""})
        lines.append(",".join(values[column] for column in REGISTER_COLUMNS))
    return "\n".join(lines) + "\n"
