"""The annual report end to end, as the coordinator and the statistics team would check it.

For each database (a temporary SQLite file, and PostgreSQL when --postgres is given):
1. the synthetic register and events of fixture.py go in through `mappa import cases` / `mappa import events`
   (an events file with one bad row first: nothing imported); importing the events again adds nothing;
2. `mappa stats annual --format csv` gives exactly the expected figure in every cell, and no other cells;
   `--format json` gives the same figures; `--format xlsx` opens in openpyxl with one sheet per table and the
   same numbers as numbers;
3. `mappa serve`: the coordinator signs in and the annual report page shows the same figure in every cell; the
   page's CSV and XLSX downloads agree; the XLSX downloads (annual report, indicators) and the CSVs offered on pages
   (indicators, caseload) open in openpyxl and pandas with the marking, the title, headings in words and the codes;
4. level history: a second register import raises, lowers and exits cases today; the current year counts each
   case at the highest level it held, the year before at the level it had then (a register without the optional
   mappa_area column, which must import as it always did);
5. MAPPA areas: the register names two areas in its optional mappa_area column (refused, naming the lines, until
   the areas exist); `mappa stats annual --area CODE` and the page with ?area=CODE give each area's expected
   figures; `mappa stats areas-compared`, the comparison page and its CSV give the expected comparison.

Prints one line per check and "stats: N passed, N failed"; exits 1 on any failure. Loopback only.
"""

import argparse
import csv
import datetime
import http.cookiejar
import io
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.parse
import urllib.request

import openpyxl
import pandas

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
import fixture  # noqa: E402
from checks import check, free_port, results  # noqa: E402

COORDINATOR_PASSWORD = "saffron ledger kite 93"
NEW_PASSWORD = "pebble orchard mast 47"


class Mappa:
    def __init__(self, binary, database, work):
        self.binary, self.database, self.work = binary, database, work
        self.environment = {k: v for k, v in os.environ.items() if k != "MAPPA_DATABASE_URL"}

    def run(self, *arguments, stdin=None):
        result = subprocess.run([self.binary, *arguments, "--database", self.database], input=stdin,
                                capture_output=True, timeout=300, env=self.environment)
        return result.returncode, result.stdout, result.stderr.decode(errors="replace")

    def file(self, name, text):
        path = os.path.join(self.work, name)
        with open(path, "w", encoding="utf-8") as handle:
            handle.write(text)
        return path


def csv_cells(data):
    rows = list(csv.reader(io.StringIO(data.decode() if isinstance(data, bytes) else data)))
    if not rows or rows[0] != ["table", "row", "column", "value"]:
        return None
    return {(table, row, column): value for table, row, column, value in rows[1:]}


def comparison_cells(data, readable=False):
    """The comparison CSV as {row: {column: value}}; None unless its header is the expected one. The page's download
    is readable: the marking, the title and the headings in words come before the codes."""
    rows = list(csv.reader(io.StringIO(data.decode("utf-8-sig") if isinstance(data, bytes) else data)))
    if readable:
        rows = rows[3:] if len(rows) > 3 and rows[0] == [MARKING] else []
    if not rows or rows[0][:2] != ["area", "area_name"]:
        return None
    return {line[0]: dict(zip(rows[0][2:], line[2:])) for line in rows[1:]}


MARKING = "OFFICIAL-SENSITIVE"
HEADER_ROW = 4  # the marking, the title line, the table's title, then the headings in words


def notes_codes(book):
    """From the Notes sheet: {sheet: table code} and {(sheet, heading in words): column code}."""
    tables, columns = {}, {}
    for values in list(book["Notes"].iter_rows(values_only=True))[HEADER_ROW:]:
        sheet, heading, code, meaning = (list(values) + [None] * 4)[:4]
        found = re.search(r"Code in the CSV and JSON: ([a-z0-9_]+)\.$", meaning or "")
        if found and not heading:
            tables[sheet] = found.group(1)
        elif heading:
            columns[(sheet, heading)] = code
    return tables, columns


def xlsx_cells(data):
    """Each sheet is one table under the marking and the title, headings in words; the Notes sheet gives the
    table's and each column's code, the last column the row's code."""
    book = openpyxl.load_workbook(io.BytesIO(data), data_only=True)
    tables, columns = notes_codes(book)
    cells, types = {}, set()
    for sheet in book.worksheets:
        if sheet.title == "Notes":
            continue
        table = tables.get(sheet.title, sheet.title)
        rows = list(sheet.iter_rows(values_only=True))
        header = [columns.get((sheet.title, heading), heading) for heading in rows[HEADER_ROW - 1]]
        for values in rows[HEADER_ROW:]:
            row = values[header.index("row_code")]
            for column, value in zip(header[1:-1], values[1:-1]):
                if value is None or value == "–":
                    continue
                types.add(type(value))
                if not isinstance(value, (int, float)):
                    text = str(value)
                elif table == "rsos_per_100k":
                    text = f"{value:.2f}"
                else:
                    text = str(int(value))
                cells[(table, row, column)] = text
    return [tables.get(sheet.title, sheet.title) for sheet in book.worksheets if sheet.title != "Notes"], cells, types


def readable_xlsx(name, data, title_start, figure_formats):
    """A download people read: every sheet opens in openpyxl with the marking, a title line, a frozen header in words,
    the marking on every printed page, and figures formatted; pandas reads each table by its words headings; the
    Notes sheet keeps every column's code. Returns the workbook."""
    book = openpyxl.load_workbook(io.BytesIO(data))
    check(f"{name}: every sheet starts with the marking and the title",
          all(sheet["A1"].value == MARKING and str(sheet["A2"].value or "").startswith(title_start) and ", made " in str(sheet["A2"].value)
              for sheet in book.worksheets), [(sheet.title, sheet["A1"].value, sheet["A2"].value) for sheet in book.worksheets])
    check(f"{name}: every sheet's header stays in view (frozen below it)",
          all(sheet.freeze_panes == f"A{HEADER_ROW + 1}" for sheet in book.worksheets), [sheet.freeze_panes for sheet in book.worksheets])
    check(f"{name}: the marking prints in every sheet's page header and footer",
          all(sheet.oddHeader.center.text == MARKING and sheet.oddFooter.center.text == MARKING for sheet in book.worksheets),
          [(sheet.oddHeader.center.text, sheet.oddFooter.center.text) for sheet in book.worksheets])
    check(f"{name}: every column has a width", all(sheet.column_dimensions["A"].width and sheet.column_dimensions["A"].width >= 8
                                                  for sheet in book.worksheets))
    formats = {cell.number_format for sheet in book.worksheets for row in sheet.iter_rows(min_row=HEADER_ROW + 1)
               for cell in row if isinstance(cell.value, (int, float))}
    check(f"{name}: figures carry number formats {sorted(figure_formats)}", formats and formats <= figure_formats, formats)
    frames = pandas.read_excel(io.BytesIO(data), sheet_name=None, header=HEADER_ROW - 1)
    notes = frames.pop("Notes", None)
    check(f"{name}: pandas reads the Notes sheet with its headings",
          notes is not None and list(notes.columns) == ["Sheet", "Column", "Code", "What it means"], None if notes is None else list(notes.columns))
    if notes is not None:
        for sheet, frame in frames.items():
            described = set(notes[notes["Sheet"] == sheet]["Column"].dropna())
            check(f"{name}: pandas reads '{sheet}' by headings in words, each explained with its code in Notes",
                  list(frame.columns) and set(frame.columns) <= described and not any("_" in str(column) for column in frame.columns),
                  (list(frame.columns), described))
    return book


def readable_csv(name, data, title_start, codes):
    """A CSV people read: the marking, a title line, headings in words, the codes as the second header row;
    pandas reads it with both header rows. Returns the DataFrame."""
    text = data.decode("utf-8-sig")
    lines = list(csv.reader(io.StringIO(text)))
    check(f"{name}: starts with the marking and a title naming the area, period and day",
          len(lines) > 3 and lines[0] == [MARKING] and lines[1][0].startswith(title_start) and ", made " in lines[1][0], lines[:2])
    check(f"{name}: headings in words, then the codes", len(lines) > 3 and lines[3] == codes
          and len(lines[2]) == len(codes) and not any("_" in heading for heading in lines[2]), lines[2:4])
    frame = pandas.read_csv(io.BytesIO(data), encoding="utf-8-sig", skiprows=2, header=[0, 1], dtype=str)
    check(f"{name}: pandas reads it with the words and codes as two header rows",
          [code for _, code in frame.columns] == codes and [words for words, _ in frame.columns] == lines[2], list(frame.columns))
    injected = [value for column in frame.columns for value in frame[column].dropna() if value[:1] in "=+-@"]
    check(f"{name}: no cell starts like a formula", not injected, injected)
    return frame


def page_cells(page):
    cells = {}
    for table, body in re.findall(r'<table class="table" data-table="([a-z0-9_]+)">(.*?)</table>', page, re.S):
        for row, row_body in re.findall(r'<tr class="table__row" data-row="([a-z0-9_]+)">(.*?)</tr>', body, re.S):
            for column, value in re.findall(r'data-column="([a-z0-9_]+)">([^<]*)<', row_body):
                cells[(table, row, column)] = value
    return cells


def differences(expected, actual):
    wrong = [f"{key}: expected {value}, got {actual.get(key)}" for key, value in sorted(expected.items()) if actual.get(key) != value]
    extra = [f"{key} not expected" for key in sorted(set(actual) - set(expected))]
    return wrong + extra


class Browser:
    def __init__(self, port):
        self.base = f"http://127.0.0.1:{port}"
        self.opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(http.cookiejar.CookieJar()))

    def get(self, path):
        try:
            with self.opener.open(self.base + path, timeout=30) as response:
                return response.status, response.read(), response.headers
        except urllib.error.HTTPError as error:
            return error.code, error.read(), error.headers

    def post(self, path, fields):
        try:
            with self.opener.open(self.base + path, data=urllib.parse.urlencode(fields).encode(), timeout=30) as response:
                return response.status, response.read().decode()
        except urllib.error.HTTPError as error:
            return error.code, error.read().decode()

    def csrf(self, path):
        _, page, _ = self.get(path)
        match = re.search(r'name="csrf_token" value="([0-9a-f]+)"', page.decode())
        return match.group(1) if match else ""

    def sign_in(self, username, password, new_password):
        self.post("/login", {"csrf_token": self.csrf("/login"), "username": username, "password": password})
        self.post("/account/password", {"csrf_token": self.csrf("/account/password"), "current_password": password,
                                        "new_password": new_password, "confirm_password": new_password})


def serve(mappa, port):
    log = open(os.path.join(mappa.work, "serve.log"), "a")
    server = subprocess.Popen([mappa.binary, "serve", "--port", str(port), "--database", mappa.database],
                              stdout=log, stderr=log, env=mappa.environment)
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=1):
                return server
        except OSError:
            time.sleep(0.2)
    return server


def suite(name, binary, database, work):
    print(f"-- {name}: the synthetic register with known answers")
    data = fixture.Fixture()
    mappa = Mappa(binary, database, work)
    register = mappa.file("register.csv", data.register_csv())
    code, out, _ = mappa.run("import", "cases", register)
    first_line = 2 + next(index for index, row in enumerate(data.rows) if row["mappa_area"])
    check(f"{name}: a register naming areas not yet on record imports nothing and names each line",
          code == 1 and f"line {first_line}, mappa_area: Unknown MAPPA area code" in out.decode() and "nothing was imported" in out.decode(), out)
    for code_name, (area_name, population) in fixture.AREAS.items():
        code, out, err = mappa.run("stats", "area-add", code_name, area_name, "--population", f"{population:,}")
        check(f"{name}: the area {code_name} is added", code == 0 and f"added MAPPA area {code_name}" in out.decode(), out + err.encode())
    code, _, err = mappa.run("stats", "area-add", "north", "Again")
    check(f"{name}: an area code already taken is refused", code == 1 and "already an area with the code north" in err, err)
    code, out, err = mappa.run("import", "cases", register)
    check(f"{name}: the register of {len(data.rows)} synthetic nominals imports with their areas", code == 0, out + err.encode())
    code, out, _ = mappa.run("stats", "areas")
    for code_name, (area_name, population) in fixture.AREAS.items():
        rows = [row for row in data.rows if row["mappa_area"] == code_name]
        active = sum(1 for row in rows if row["status"] == "active")
        line = f"{code_name}\t{area_name}\t{population:,}\tactive\t{active}/{len(rows)} cases"
        check(f"{name}: `stats areas` lists {code_name} with its cases", code == 0 and line in out.decode().splitlines(), out)
    bad = data.events_csv() + "FX-99999,shpo,2025-06-01,,Nobody by this reference\n"
    code, out, _ = mappa.run("import", "events", mappa.file("bad-events.csv", bad))
    check(f"{name}: an events file with one unknown nominal imports nothing and names the line",
          code == 1 and f"line {len(data.events) + 2}, nominal_ref" in out.decode() and "nothing was imported" in out.decode(), out)
    code, out, _ = mappa.run("import", "events", mappa.file("events.csv", data.events_csv()))
    check(f"{name}: the {len(data.events)} events import", code == 0 and f"{len(data.events)} events added" in out.decode(), out)
    code, out, _ = mappa.run("import", "events", mappa.file("events.csv", data.events_csv()))
    check(f"{name}: importing the same events again adds nothing",
          code == 0 and f"0 events added, {len(data.events)} already on record" in out.decode(), out)
    code, out, _ = mappa.run("stats", "population", str(fixture.POPULATION))
    check(f"{name}: the area population is set", code == 0, out)

    code, out, err = mappa.run("stats", "annual", "--year-ending", "2026-03-31", "--format", "csv")
    cells = csv_cells(out) or {}
    check(f"{name}: CLI CSV has every expected figure and nothing else ({len(data.expected)} cells)",
          code == 0 and not differences(data.expected, cells), differences(data.expected, cells) or err)
    code, out, _ = mappa.run("stats", "annual", "--year-ending", "2026-03-31", "--format", "json")
    document = json.loads(out) if code == 0 else {}
    from_json = {}
    for table in document.get("tables", []):
        for row in table["rows"]:
            for column, value in row["values"].items():
                from_json[(table["name"], row["name"], column)] = "" if value is None else (
                    f"{value:.2f}" if table["name"] == "rsos_per_100k" else str(int(value)))
    check(f"{name}: CLI JSON gives the same figures", document.get("yearEnding") == "2026-03-31"
          and not differences(data.expected, from_json), differences(data.expected, from_json))
    xlsx_path = os.path.join(work, "annual.xlsx")
    code, _, err = mappa.run("stats", "annual", "--year-ending", "2026-03-31", "--format", "xlsx", "--to", xlsx_path)
    if check(f"{name}: CLI writes the XLSX", code == 0 and os.path.exists(xlsx_path), err):
        with open(xlsx_path, "rb") as handle:
            sheets, from_xlsx, types = xlsx_cells(handle.read())
        check(f"{name}: the XLSX has one sheet per table", sheets == ["eligible_on_31_march", "level_2_3_in_year", "rsos_per_100k", "events"], sheets)
        with open(xlsx_path, "rb") as handle:
            readable_xlsx(f"{name}: CLI XLSX", handle.read(), "MAPPA annual report 2025/26, All MAPPA areas, 1 April 2025 to 31 March 2026", {"#,##0", "#,##0.00"})
        check(f"{name}: the XLSX opens in openpyxl with the same figures", not differences(data.expected, from_xlsx),
              differences(data.expected, from_xlsx))
        check(f"{name}: figures in the XLSX are numbers, not text", types <= {int, float}, types)
    code, out, err = mappa.run("stats", "annual", "--year-ending", "2026-02-28")
    check(f"{name}: a year that does not end on 31 March is refused with a reason", code == 2 and "31 March" in err, err)

    for area in ("north", "south"):
        code, out, err = mappa.run("stats", "annual", "--year-ending", "2026-03-31", "--area", area)
        by_area = csv_cells(out) or {}
        expected = data.expected_by_area[area]
        check(f"{name}: CLI CSV for {area} alone has every expected figure ({len(expected)} cells)",
              code == 0 and not differences(expected, by_area), differences(expected, by_area) or err)
    code, _, err = mappa.run("stats", "annual", "--area", "west")
    check(f"{name}: an unknown area is refused naming the areas", code == 2 and "north, south" in err, err)
    code, out, err = mappa.run("stats", "areas-compared", "--year-ending", "2026-03-31")
    compared = comparison_cells(out)
    check(f"{name}: CLI comparison across areas gives every expected figure",
          code == 0 and compared == data.comparison(), (compared, data.comparison(), err))

    print(f"-- {name}: the annual report page")
    code, _, err = mappa.run("user", "add", "--username", "stats.coordinator", "--name", "Stats Coordinator",
                             "--role", "coordinator", "--agency", "mappa_unit", stdin=(COORDINATOR_PASSWORD + "\n").encode())
    check(f"{name}: a coordinator account is added", code == 0, err)
    port = free_port()
    server = serve(mappa, port)
    try:
        browser = Browser(port)
        browser.sign_in("stats.coordinator", COORDINATOR_PASSWORD, NEW_PASSWORD)
        status, page, _ = browser.get("/statistics/annual?year_ending=2026-03-31")
        shown = page_cells(page.decode())
        expected_page = {key: value for key, value in data.expected.items()}
        check(f"{name}: the page shows every expected figure", status == 200 and not differences(expected_page, shown),
              differences(expected_page, shown) or status)
        status, body, headers = browser.get("/statistics/annual.csv?year_ending=2026-03-31")
        check(f"{name}: the page's CSV download agrees", status == 200 and csv_cells(body) == cells,
              differences(data.expected, csv_cells(body) or {}))
        status, body, headers = browser.get("/statistics/annual.xlsx?year_ending=2026-03-31")
        if check(f"{name}: the page's XLSX download is a spreadsheet", status == 200 and body[:2] == b"PK"
                 and "spreadsheetml" in headers.get("Content-Type", ""), headers.get("Content-Type")):
            check(f"{name}: the downloaded XLSX has the same figures", not differences(data.expected, xlsx_cells(body)[1]))
            readable_xlsx(f"{name}: annual report XLSX", body, "MAPPA annual report 2025/26, All MAPPA areas, 1 April 2025 to 31 March 2026",
                          {"#,##0", "#,##0.00"})
        status, body, _ = browser.get("/statistics/annual.xlsx?year_ending=2026-03-31&area=north")
        if check(f"{name}: the XLSX for one area downloads", status == 200, status):
            readable_xlsx(f"{name}: annual report XLSX for north", body, f"MAPPA annual report 2025/26, {fixture.AREAS['north'][0]}, ", {"#,##0", "#,##0.00"})
        readable_downloads(name, browser, data)
        for area in ("north", "south"):
            status, page, _ = browser.get(f"/statistics/annual?year_ending=2026-03-31&area={area}")
            expected = {key: value or "Not known" for key, value in data.expected_by_area[area].items()}
            shown = page_cells(page.decode())
            check(f"{name}: the page for {area} alone shows every expected figure", status == 200 and not differences(expected, shown),
                  differences(expected, shown) or status)
        status, page, _ = browser.get("/statistics/annual/areas?year_ending=2026-03-31")
        shown = {}
        for (table, row, column), value in page_cells(page.decode()).items():
            if table == "areas":
                shown.setdefault(row, {})[column] = value
        on_page = {row: {column: (f"{int(value):,}" if column == "population" and value else value)
                         or ("Not set" if column == "population" else "Not known") for column, value in columns.items()}
                   for row, columns in data.comparison().items()}
        check(f"{name}: the comparison page shows every area's figures", status == 200 and shown == on_page, (shown, on_page))
        status, body, _ = browser.get("/statistics/annual/areas.csv?year_ending=2026-03-31")
        check(f"{name}: the comparison page's CSV download agrees", status == 200 and comparison_cells(body, readable=True) == data.comparison(),
              body[:500])
        if status == 200:
            readable_csv(f"{name}: areas compared CSV", body, "MAPPA areas compared, 2025/26, All MAPPA areas, 1 April 2025 to 31 March 2026",
                         ["area", "area_name", "eligible_on_31_march", "level_2_in_year", "level_3_in_year", "population",
                          "rsos_per_100k", "returned_to_custody", "sfo_charged"])
    finally:
        server.terminate()
        server.wait(15)


def readable_downloads(name, browser, data):
    """The performance indicators and the caseload, downloaded as a person would from their pages."""
    status, body, _ = browser.get("/statistics/kpis.csv?period=2025-26")
    if check(f"{name}: the indicators CSV downloads", status == 200, status):
        frame = readable_csv(f"{name}: indicators CSV", body, "MAPPA performance indicators, All MAPPA areas, 2025/26 (1 April 2025 to 31 March 2026)",
                             ["indicator", "number", "name", "period", "period_start", "period_end", "numerator", "denominator", "value",
                              "unit", "target", "direction", "met", "previous_period", "previous_value", "year_before_period",
                              "year_before_value"])
        check(f"{name}: one line per indicator", len(frame) == 10, len(frame))
    status, body, _ = browser.get("/statistics/kpis.xlsx?period=2025-26")
    if check(f"{name}: the indicators XLSX downloads", status == 200 and body[:2] == b"PK", status):
        book = readable_xlsx(f"{name}: indicators XLSX", body, "MAPPA performance indicators, All MAPPA areas, 2025/26", {"#,##0", "0.0%", "#,##0.0"})
        check(f"{name}: the indicators XLSX has its tables and Notes", book.sheetnames == ["Indicators", "By lead agency", "Notes"], book.sheetnames)
        sheet = book["Indicators"]
        headings = [cell.value for cell in sheet[HEADER_ROW]]
        rates = [row for row in sheet.iter_rows(min_row=HEADER_ROW + 1, values_only=False) if row[headings.index("Unit")].value == "percent"]
        figures = [row[headings.index("Target")] for row in rates]
        check(f"{name}: a rate's target is a percentage stored as a fraction", figures and all(
            cell.number_format == "0.0%" and 0 <= cell.value <= 1 for cell in figures), [(cell.value, cell.number_format) for cell in figures])
    status, body, _ = browser.get("/cases.csv?status=all")
    if check(f"{name}: the caseload CSV downloads", status == 200, status):
        frame = readable_csv(f"{name}: caseload CSV", body, "MAPPA caseload, All MAPPA areas, Active and exited cases on ",
                             ["nominal_ref", "family_name", "given_names", "category", "level", "lead_agency", "next_review_date",
                              "status", "custody_status", "release_date", "mappa_area"])
        references = set(frame[("Case reference", "nominal_ref")])
        register = {row["nominal_ref"] for row in data.rows}
        check(f"{name}: the caseload CSV lists cases of the register, one a line", references and references <= register
              and len(references) == len(frame), (len(references), len(frame)))


def history_suite(name, binary, database, work):
    print(f"-- {name}: level history through two register imports")
    mappa = Mappa(binary, database, work)
    today = datetime.date.today()
    year_end = datetime.date(today.year + (1 if today.month >= 4 else 0), 3, 31)
    year_start = datetime.date(year_end.year - 1, 4, 1)
    code, out, err = mappa.run("import", "cases", mappa.file("history-1.csv", fixture.history_register(False, today)))
    check(f"{name}: five cases at their first levels", code == 0, out + err.encode())
    code, out, err = mappa.run("import", "cases", mappa.file("history-2.csv", fixture.history_register(True, today)))
    check(f"{name}: the second import raises H1 and H4, lowers H2 and exits H3 today", code == 0, out + err.encode())

    def report(year_ending):
        code, out, _ = mappa.run("stats", "annual", "--year-ending", year_ending.isoformat())
        cells = csv_cells(out) or {}
        return {key: value for key, value in cells.items() if key[0] in ("eligible_on_31_march", "level_2_3_in_year") and value != "0"}

    current = report(year_end)
    if today > year_start:
        expected = {("level_2_3_in_year", "level_2", "category_1"): "1", ("level_2_3_in_year", "level_2", "total"): "1",
                    ("level_2_3_in_year", "level_3", "category_1"): "1", ("level_2_3_in_year", "level_3", "category_2"): "1",
                    ("level_2_3_in_year", "level_3", "category_3"): "1", ("level_2_3_in_year", "level_3", "total"): "3",
                    ("level_2_3_in_year", "total", "category_1"): "2", ("level_2_3_in_year", "total", "category_2"): "1",
                    ("level_2_3_in_year", "total", "category_3"): "1", ("level_2_3_in_year", "total", "total"): "4"}
    else:  # on 1 April the year began today: only today's levels count
        expected = {("level_2_3_in_year", "level_3", "category_1"): "1", ("level_2_3_in_year", "level_3", "category_3"): "1",
                    ("level_2_3_in_year", "level_3", "total"): "2", ("level_2_3_in_year", "total", "category_1"): "1",
                    ("level_2_3_in_year", "total", "category_3"): "1", ("level_2_3_in_year", "total", "total"): "2"}
    expected.update({("eligible_on_31_march", "level_1", "category_2"): "2", ("eligible_on_31_march", "level_1", "total"): "2",
                     ("eligible_on_31_march", "level_3", "category_1"): "1", ("eligible_on_31_march", "level_3", "category_3"): "1",
                     ("eligible_on_31_march", "level_3", "total"): "2", ("eligible_on_31_march", "total", "category_1"): "1",
                     ("eligible_on_31_march", "total", "category_2"): "2", ("eligible_on_31_march", "total", "category_3"): "1",
                     ("eligible_on_31_march", "total", "total"): "4"})
    check(f"{name}: this year counts each case at the highest level it held; H3 (exited today) is not eligible",
          not differences(expected, current), differences(expected, current))
    before = report(datetime.date(year_end.year - 1, 3, 31))
    expected = {("eligible_on_31_march", "level_1", "category_1"): "1", ("eligible_on_31_march", "level_1", "category_2"): "1",
                ("eligible_on_31_march", "level_1", "total"): "2", ("eligible_on_31_march", "level_2", "category_1"): "1",
                ("eligible_on_31_march", "level_2", "category_3"): "1", ("eligible_on_31_march", "level_2", "total"): "2",
                ("eligible_on_31_march", "level_3", "category_2"): "1", ("eligible_on_31_march", "level_3", "total"): "1",
                ("eligible_on_31_march", "total", "category_1"): "2", ("eligible_on_31_march", "total", "category_2"): "2",
                ("eligible_on_31_march", "total", "category_3"): "1", ("eligible_on_31_march", "total", "total"): "5",
                ("level_2_3_in_year", "level_2", "category_1"): "1", ("level_2_3_in_year", "level_2", "category_3"): "1",
                ("level_2_3_in_year", "level_2", "total"): "2", ("level_2_3_in_year", "level_3", "category_2"): "1",
                ("level_2_3_in_year", "level_3", "total"): "1", ("level_2_3_in_year", "total", "category_1"): "1",
                ("level_2_3_in_year", "total", "category_2"): "1", ("level_2_3_in_year", "total", "category_3"): "1",
                ("level_2_3_in_year", "total", "total"): "3"}
    check(f"{name}: the year before shows the levels as they were then", not differences(expected, before), differences(expected, before))


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--bin", required=True)
    parser.add_argument("--postgres", action="append", default=[],
                        help="two empty PostgreSQL databases: the fixture suite's, then the history suite's")
    arguments = parser.parse_args()
    work = tempfile.mkdtemp(prefix="mappa-stats.")
    try:
        suite("sqlite", arguments.bin, os.path.join(work, "stats.sqlite"), work)
        history_suite("sqlite", arguments.bin, os.path.join(work, "history.sqlite"), work)
        if len(arguments.postgres) == 2:
            suite("postgres", arguments.bin, arguments.postgres[0], work)
            history_suite("postgres", arguments.bin, arguments.postgres[1], work)
    finally:
        shutil.rmtree(work, ignore_errors=True)
    print(f"stats: {results.passed} passed, {results.failed} failed")
    return 1 if results.failed else 0


if __name__ == "__main__":
    sys.exit(main())
