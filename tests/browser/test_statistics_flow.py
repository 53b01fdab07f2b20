"""Statistics in real browsers: the coordinator records a return to custody on a case, finds it counted in this
year's annual report, sets the area population so the per-100,000 rate appears, and opens the performance
indicators; adds a MAPPA area (after a mistake), puts the case in it, and finds the return counted in that
area's report and in the comparison across areas; a manager reads the report and the comparison but cannot
change the areas; a partner agency's representative is not offered statistics at all."""
from __future__ import annotations

import datetime

from selenium.webdriver.common.by import By

from support import USERS


def current_year_ending() -> str:
    today = datetime.date.today()
    return f"{today.year + (1 if today.month >= 4 else 0)}-03-31"


def events_row(browser, event: str) -> list[str]:
    table = browser.driver.find_element(By.CSS_SELECTOR, "main table[data-table='events']")
    for row in table.find_elements(By.CSS_SELECTOR, "tbody tr"):
        if row.find_element(By.CSS_SELECTOR, "th").text == event:
            return [cell.text for cell in row.find_elements(By.CSS_SELECTOR, "td")]
    raise AssertionError(f"no row for {event}")


def test_event_recorded_counted_in_the_annual_report(make_browser, world):
    coordinator = make_browser()
    coordinator.sign_in(USERS["coordinator"])
    coordinator.go(f"/cases/{world.case_id}")
    coordinator.driver.find_element(By.XPATH, "//summary[normalize-space()='Record an event']").click()
    coordinator.fill_all([("event_type", "returned_to_custody_licence"), ("event_date", datetime.date.today().isoformat()),
                          ("level_at_event", "2"), ("detail", "Recalled after breaching the curfew")])
    coordinator.click_button("Record the event")
    assert "Event recorded" in coordinator.notification()
    assert "Recalled after breaching the curfew" in coordinator.main_text()
    coordinator.screenshot("statistics-01-event-on-case")

    coordinator.click_nav("Statistics")
    coordinator.click_link("MAPPA annual report tables")
    coordinator.fill("year_ending", current_year_ending())
    coordinator.click_button("Show")
    assert "it has not ended yet" in coordinator.main_text()
    count, level_1, level_2, level_3 = events_row(coordinator, "Returned to custody for breach of licence")
    assert (count, level_2) == ("1", "1"), (count, level_1, level_2, level_3)
    assert "The area population is not set" in coordinator.main_text()

    coordinator.fill("area_population", "1,000,000")
    coordinator.click_button("Save population")
    assert "Area population saved" in coordinator.notification()
    assert "The area population is not set" not in coordinator.main_text()
    coordinator.screenshot("statistics-02-annual-report")

    coordinator.click_nav("Statistics")
    coordinator.click_link("Performance indicators")
    assert coordinator.h1() == "Performance indicators"
    coordinator.screenshot("statistics-03-performance-indicators")

    # A regional unit: the coordinator adds an area, mistakes first, and puts the case in it.
    coordinator.click_nav("Statistics")
    coordinator.click_link("MAPPA areas")
    coordinator.fill_all([("code", "River Side"), ("name", ""), ("population", "lots")])
    coordinator.click_button("Add area")
    errors = coordinator.error_summary()
    assert "The area code can only contain" in errors and "Enter the name of the area" in errors, errors
    assert coordinator.field("population")[0].get_attribute("value") == "lots", "what was typed is kept"
    coordinator.fill_all([("code", "riverside"), ("name", "Riverside"), ("population", "250,000")])
    coordinator.click_button("Add area")
    assert "Area added" in coordinator.notification()
    assert "Riverside" in coordinator.main_text() and "250,000" in coordinator.main_text()
    coordinator.screenshot("statistics-04-areas")

    coordinator.go(f"/cases/{world.case_id}/edit")
    coordinator.fill("area", "riverside")
    coordinator.click_button("Save changes")
    assert "MAPPA area\nRiverside" in coordinator.main_text() or "MAPPA area Riverside" in coordinator.main_text()

    coordinator.click_nav("Statistics")
    coordinator.click_link("MAPPA annual report tables")
    coordinator.fill("year_ending", current_year_ending())
    coordinator.fill("area", "riverside")
    coordinator.click_button("Show")
    assert coordinator.h1().endswith(", Riverside"), coordinator.h1()
    assert "An event counts for Riverside when the nominal had a case" in coordinator.main_text()
    count, level_1, level_2, level_3 = events_row(coordinator, "Returned to custody for breach of licence")
    assert (count, level_2) == ("1", "1"), (count, level_1, level_2, level_3)
    coordinator.screenshot("statistics-05-area-report")

    year_end = current_year_ending()
    coordinator.click_link(f"Compare the MAPPA areas for {int(year_end[:4]) - 1}/{year_end[2:4]}")
    assert coordinator.h1().startswith("MAPPA areas compared")
    row = coordinator.driver.find_element(By.CSS_SELECTOR, "main table[data-table='areas'] tr[data-row='riverside']")
    assert row.find_element(By.CSS_SELECTOR, "td[data-column='returned_to_custody']").text == "1"
    assert row.find_element(By.CSS_SELECTOR, "td[data-column='population']").text == "250,000"
    coordinator.screenshot("statistics-06-areas-compared")

    manager = make_browser()
    manager.sign_in(USERS["manager"])
    manager.click_nav("Statistics")
    assert not manager.driver.find_elements(By.LINK_TEXT, "MAPPA areas"), "only those who configure statistics keep the areas"
    manager.click_link("MAPPA areas compared")
    assert manager.h1().startswith("MAPPA areas compared")
    manager.click_nav("Statistics")
    manager.click_link("MAPPA annual report tables")
    assert manager.h1().startswith("MAPPA annual report")
    assert not manager.driver.find_elements(By.NAME, "area_population"), "only the coordinator sets the population"

    housing = make_browser()
    housing.sign_in(USERS["housing"])
    assert not housing.driver.find_elements(By.LINK_TEXT, "Statistics")


def chart_figures(browser) -> list[dict]:
    """Each chart on the page as the browser draws it: tick labels, category labels (the tspan lines joined),
    legend names, every text in the SVG, and the first column of the table that gives the same figures."""
    return browser.driver.execute_script("""
        return Array.from(document.querySelectorAll('main figure.chart')).map(figure => {
          const svg = figure.querySelector('svg.chart__image');
          return {
            id: figure.id,
            role: svg.getAttribute('role'),
            named: !!svg.querySelector('title') && !!svg.querySelector('desc'),
            ticks: Array.from(svg.querySelectorAll('text.chart__tick')).map(t => t.textContent),
            labels: Array.from(svg.querySelectorAll('text.chart__label')).map(t =>
              Array.from(t.querySelectorAll('tspan')).map(s => s.textContent).join(' ')),
            legend: Array.from(svg.querySelectorAll('.chart__legend-item text')).map(t => t.textContent),
            texts: Array.from(svg.querySelectorAll('text, tspan')).map(t => t.textContent),
            columns: Array.from(figure.querySelectorAll('table thead th')).map(th => th.textContent),
            rows: Array.from(figure.querySelectorAll('table tbody tr')).map(tr => tr.cells[0].textContent),
            overflows: Array.from(svg.querySelectorAll('text.chart__label')).some(t => t.getBBox().x < 0),
          };
        });
    """)


def test_charts_whole_numbers_whole_labels_and_the_year_before(make_browser, world):
    coordinator = make_browser()
    coordinator.sign_in(USERS["coordinator"])
    coordinator.go(f"/statistics/annual?year_ending={current_year_ending()}")
    figures = chart_figures(coordinator)
    assert [figure["id"] for figure in figures] == ["eligible-by-category", "events-in-year"]
    ending = int(current_year_ending()[:4])
    this_year = f"{ending - 1}/{ending % 100:02d} (this year)"
    year_before = f"{ending - 2}/{(ending - 1) % 100:02d} (the year before)"
    for figure in figures:
        assert figure["role"] == "img" and figure["named"], figure["id"]
        assert figure["ticks"] and all(tick.isdigit() for tick in figure["ticks"]), figure["ticks"]
        assert figure["legend"] == [this_year, year_before], figure["legend"]
        assert figure["columns"][1:] == [this_year, year_before], figure["columns"]
        assert not any("…" in text for text in figure["texts"])
        assert figure["labels"] == figure["rows"], "every label whole, the same as the table's row"
        assert not figure["overflows"], "no label runs off the left of the chart"
    assert "Returned to custody for breach of licence" in figures[1]["labels"]
    coordinator.screenshot("statistics-charts-annual")

    for path in ["/statistics/kpis/level2-reviews", "/statistics/annual/areas"]:
        coordinator.go(path)
        for figure in chart_figures(coordinator):
            assert figure["role"] == "img" and figure["named"], figure["id"]
            assert not any("…" in text for text in figure["texts"]), figure["id"]
            assert figure["labels"] == figure["rows"] or not figure["rows"], figure
