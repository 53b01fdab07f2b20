"""A synthetic case register and events file with known annual report answers (DESIGN.md "Annual report").

Every case is made for one purpose (eligible on 31 March, managed at Level 2/3 during the year, in custody, exited
during or before the year, started after it, level not set) and the expected figure is counted as each one is made,
so the answers do not come from the code under test. Each case is also put in one of two MAPPA areas, or in none
(the register's optional `mappa_area` column), and every figure is counted for its area too; an event counts for an
area when its nominal's case there was open on the event's date (started on or before it, not exited before it).
Deterministic from the seed; names are invented ("Fixture…"), never real people.
"""

import datetime
import random

YEAR_START = datetime.date(2025, 4, 1)
YEAR_END = datetime.date(2026, 3, 31)
POPULATION = 1_234_567
# The two synthetic areas: code -> (name, population). "none" is the cases with no area recorded.
AREAS = {"north": ("North Testshire", 700_000), "south": ("South Testshire", 534_567)}
AREA_KEYS = ["north", "south", "none"]

REGISTER_COLUMNS = ["nominal_ref", "family_name", "given_names", "aliases", "date_of_birth", "gender", "ethnicity",
                    "pnc_id", "visor_ref", "crn", "category", "level", "lead_agency", "mappa_start_date",
                    "statutory_end_date", "next_review_date", "rosh", "custody_status", "release_date", "status",
                    "exit_date", "exit_reason"]
AREA_COLUMN = "mappa_area"
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
        self.expected_by_area = {key: {} for key in AREA_KEYS}
        scopes = ["all"] + AREA_KEYS
        eligible_by = {scope: {(level, category): 0 for level in ("level_1", "level_2", "level_3", "total") for category in range(1, 5)}
                       for scope in scopes}
        in_year_by = {scope: {(level, category): 0 for level in ("level_2", "level_3") for category in range(1, 5)} for scope in scopes}
        letters = "abcdefghijklmnopqrstuvwxyz"

        def count(counters, key):
            """Counts the case just made for all areas and for its own area (or none)."""
            counters["all"][key] += 1
            counters[self.rows[-1][AREA_COLUMN] or "none"][key] += 1

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
                AREA_COLUMN: rng.choice(["north", "south", ""]),
            })

        for category in range(1, 5):
            for level in (1, 2, 3):
                if category == 3 and level == 1:
                    continue  # Category 3 is managed only at Level 2 or 3
                # In the community on 31 March: eligible, and at Level 2/3 during the year.
                for _ in range(rng.randint(0, 7)):
                    add(category, level)
                    count(eligible_by, (f"level_{level}", category))
                    count(eligible_by, ("total", category))
                    if level >= 2:
                        count(in_year_by, (f"level_{level}", category))
                # In custody or detained in hospital: not eligible in the community; still managed in the year.
                for _ in range(rng.randint(0, 3)):
                    add(category, level, custody=rng.choice(["custody", "hospital"]))
                    if level >= 2:
                        count(in_year_by, (f"level_{level}", category))
                # Exited during the year (31 March included: out of MAPPA that day).
                for index in range(rng.randint(0, 3)):
                    exit_date = YEAR_END if index == 0 else day_between(rng, YEAR_START + datetime.timedelta(days=1), YEAR_END)
                    add(category, level, exit_date=exit_date)
                    if level >= 2:
                        count(in_year_by, (f"level_{level}", category))
                # Exited before the year began (1 April included: gone on its first day), or started after it ended.
                for index in range(rng.randint(0, 2)):
                    add(category, level, exit_date=YEAR_START if index == 0 else datetime.date(2024, 11, 5),
                        start=datetime.date(2010, 1, 1))
                for _ in range(rng.randint(0, 2)):
                    add(category, level, start=day_between(rng, datetime.date(2026, 4, 1), datetime.date(2026, 11, 1)))
            # Level not set: in the totals only.
            for _ in range(rng.randint(0, 2)):
                add(category, None)
                count(eligible_by, ("total", category))

        for scope in scopes:
            expected = self.expected if scope == "all" else self.expected_by_area[scope]
            eligible, in_year = eligible_by[scope], in_year_by[scope]
            for (level, category), number in eligible.items():
                expected[("eligible_on_31_march", level, f"category_{category}")] = number
            for level in ("level_1", "level_2", "level_3", "total"):
                expected[("eligible_on_31_march", level, "total")] = sum(eligible[(level, c)] for c in range(1, 5))
            for (level, category), number in in_year.items():
                expected[("level_2_3_in_year", level, f"category_{category}")] = number
            for category in range(1, 5):
                expected[("level_2_3_in_year", "total", f"category_{category}")] = (
                    in_year[("level_2", category)] + in_year[("level_3", category)])
            for level in ("level_2", "level_3"):
                expected[("level_2_3_in_year", level, "total")] = sum(in_year[(level, c)] for c in range(1, 5))
            expected[("level_2_3_in_year", "total", "total")] = sum(in_year.values())
            population = POPULATION if scope == "all" else AREAS.get(scope, (None, None))[1]
            # The cases with no area have no population: their rate is blank.
            expected[("rsos_per_100k", "rate", "value")] = (
                f"{eligible[('total', 1)] * 100_000 / population:.2f}" if population else "")

        # Events: some in the year, and decoys on the days either side of it.
        def open_on(row, when):
            """The nominal's one case was open that day: started on or before it and not exited before it."""
            return row["mappa_start_date"] <= when and (not row["exit_date"] or row["exit_date"] >= when)

        for event_type in EVENT_TYPES:
            counts = {scope: {"count": 0, "level_1": 0, "level_2": 0, "level_3": 0} for scope in scopes}
            for index in range(rng.randint(0, 9)):
                level = rng.choice(["", "1", "2", "3"])
                when = [YEAR_START, YEAR_END][index] if index < 2 else day_between(rng, YEAR_START, YEAR_END)
                row = rng.choice(self.rows)
                self.events.append((row["nominal_ref"], event_type, when.isoformat(), level, f"Fixture event {len(self.events)}"))
                for scope in ["all"] + ([row[AREA_COLUMN] or "none"] if open_on(row, when.isoformat()) else []):
                    counts[scope]["count"] += 1
                    if level:
                        counts[scope][f"level_{level}"] += 1
            for when in (YEAR_START - datetime.timedelta(days=1), YEAR_END + datetime.timedelta(days=1)):
                self.events.append((rng.choice(self.rows)["nominal_ref"], event_type, when.isoformat(), "2", f"Fixture event {len(self.events)}"))
            for scope in scopes:
                expected = self.expected if scope == "all" else self.expected_by_area[scope]
                expected[("events", event_type, "count")] = counts[scope]["count"]
                if event_type in BY_LEVEL:
                    for level in ("level_1", "level_2", "level_3"):
                        expected[("events", event_type, level)] = counts[scope][level]

        for expected in [self.expected] + list(self.expected_by_area.values()):
            for key, value in list(expected.items()):
                expected[key] = str(value)

    def register_csv(self):
        """The register with the optional mappa_area column last."""
        columns = REGISTER_COLUMNS + [AREA_COLUMN]
        lines = [",".join(columns)]
        lines += [",".join(row[column] for column in columns) for row in self.rows]
        return "\n".join(lines) + "\n"

    def comparison(self):
        """The comparison across areas, by row (area code, none, all) and column, as the CSV writes it."""
        rows = {}
        for key in AREA_KEYS + ["all"]:
            expected = self.expected if key == "all" else self.expected_by_area[key]
            population = POPULATION if key == "all" else AREAS.get(key, (None, ""))[1]
            rows[key] = {
                "eligible_on_31_march": expected[("eligible_on_31_march", "total", "total")],
                "level_2_in_year": expected[("level_2_3_in_year", "level_2", "total")],
                "level_3_in_year": expected[("level_2_3_in_year", "level_3", "total")],
                "population": str(population),
                "rsos_per_100k": expected[("rsos_per_100k", "rate", "value")],
                "returned_to_custody": str(int(expected[("events", "returned_to_custody_licence", "count")])
                                           + int(expected[("events", "returned_to_custody_order", "count")])),
                "sfo_charged": expected[("events", "sfo_charged", "count")],
            }
        return rows

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
