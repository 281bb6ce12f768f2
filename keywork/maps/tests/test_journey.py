"""Maps and recovery capital in a real Chromium: start a triggers-and-coping map from its
guide at a session, draw on it with the mouse and with the keyboard alone, change it at a
later session, see both versions and the map on the printed summary; take a
recovery-capital check twice and see the chart change. axe-core on each page."""

from __future__ import annotations

from typing import Any

import pytest

from keywork.clients.tests.test_journeys import log_in
from keywork.maps.models import Map
from keywork.measures.tests.test_qs6 import seen
from keywork.testing import axe

pytestmark = pytest.mark.django_db(transaction=True)


def no_blocking(page: Any) -> None:
    found = axe.violations(page)
    assert axe.counts(found).get("critical", 0) + axe.counts(found).get("serious", 0) == 0, found


def add_box(page: Any, x: int, y: int, text: str) -> None:
    """With the mouse: 'Add a box', a click where it goes, then its words."""
    page.click("button:has-text('Add a box')")
    page.locator("svg.map-canvas").click(position={"x": x, "y": y})
    page.keyboard.press("Control+A")
    page.keyboard.type(text)


def join(page: Any, start: str, end: str, label: str) -> None:
    """With the mouse: 'Join two boxes', a click on each, then what the line says."""
    page.click("button:has-text('Join two boxes')")
    page.locator("svg.map-canvas .map-node", has_text=start).click()
    page.locator("svg.map-canvas .map-node", has_text=end).click()
    page.keyboard.type(label)


def test_a_map_and_recovery_capital_in_the_browser(page: Any, personas: Any) -> None:
    log_in(page, personas.mi_keyworker.user.username)
    draw_a_map(page, personas)
    take_two_checks(page)


def draw_a_map(page: Any, personas: Any) -> None:
    first = seen(personas, personas.mi_keyworker, 7)
    later = seen(personas, personas.mi_keyworker, 1)
    page.goto("/")
    page.click("a:has-text('Sam Synthetic')")
    page.click("main a:has-text('Maps')")
    page.click("a:has-text('Start a map')")
    page.check("input[value='tool.triggers-coping']")
    page.select_option("select[name=attendance]", value=str(first.pk))
    page.click("main button[type=submit]")
    page.wait_for_load_state()
    assert "/change/" in page.url
    no_blocking(page)

    add_box(page, 150, 470, "Payday")
    add_box(page, 420, 470, "Phone Sam")
    add_box(page, 690, 470, "Go to the gym")
    join(page, "Payday", "Phone Sam", "so I")
    join(page, "Phone Sam", "Go to the gym", "and then")
    assert page.locator("svg.map-canvas .map-link").count() == 5  # the guide's three, and two
    # One line with the keyboard alone: the table of lines, tabbing and choosing.
    free = page.locator("tr[data-line-row]").filter(has=page.locator("select >> nth=0"))
    row = free.nth(5)
    row.locator("select").first.focus()
    page.keyboard.press("End")  # the last box in the list: "Go to the gym"
    page.keyboard.press("Tab")
    page.keyboard.type("keeps me from")
    page.keyboard.press("Tab")
    row.locator("select").last.focus()
    page.keyboard.press("Home")
    page.keyboard.press("ArrowDown")  # the first box: the guide's trigger
    page.locator("input[name=note]").fill("Jo's own triggers")
    page.click("main button[type=submit]:has-text('Save the map')")
    page.wait_for_load_state()
    the_map = Map.objects.get()
    latest = the_map.versions.order_by("-number").first()
    texts = {n["id"]: n["text"] for n in latest.nodes}
    said = {(texts[k["from"]], k["label"], texts[k["to"]]) for k in latest.links}
    assert {("Payday", "so I", "Phone Sam"), ("Phone Sam", "and then", "Go to the gym")} <= said
    assert ("Go to the gym", "keeps me from", latest.nodes[0]["text"]) in said
    assert latest.number == 2 and latest.attendance is None

    # Moved by hand, a box stays where it was put.
    page.goto(f"/clients/T0001/maps/{the_map.pk}/change/")
    payday = page.locator("svg.map-canvas .map-node", has_text="Payday")
    page.locator("svg.map-canvas").scroll_into_view_if_needed()
    box = payday.bounding_box()
    page.mouse.move(box["x"] + box["width"] / 2, box["y"] + box["height"] / 2)
    page.mouse.down()
    page.mouse.move(box["x"] + box["width"] / 2 + 100, box["y"] + box["height"] / 2 - 60, steps=5)
    page.mouse.up()
    page.select_option("select[name=attendance]", value=str(later.pk))
    page.check("input[name=on_summary]")
    page.fill("input[name=note]", "Payday moved up: it comes first now")
    no_blocking(page)
    page.click("main button[type=submit]:has-text('Save the map')")
    page.wait_for_load_state()
    third = the_map.versions.order_by("-number").first()
    before = next(n for n in latest.nodes if n["text"] == "Payday")
    moved = next(n for n in third.nodes if n["text"] == "Payday")
    assert (moved["x"], moved["y"]) == (before["x"] + 100, before["y"] - 60)
    unmoved = [(n["x"], n["y"]) for n in third.nodes if n["text"] != "Payday"]
    assert unmoved == [(n["x"], n["y"]) for n in latest.nodes if n["text"] != "Payday"]
    assert third.number == 3 and third.attendance == later and third.on_summary
    assert "Version 3" in page.inner_text("main")
    page.click("a:has-text('Version 2')")
    assert "Version 2 of 3: an earlier version" in page.inner_text("main")
    no_blocking(page)

    page.goto("/clients/T0001/summary/")
    figure = page.locator("figure.map-figure", has_text="Triggers and coping map")
    assert "Payday" in figure.locator("svg").inner_html()
    page.emulate_media(media="print")
    assert figure.is_visible()


def take_check(page: Any, answers: dict[str, int], taken_on: str) -> None:
    page.goto("/clients/T0001/recovery/new/")
    page.fill("input[name=taken_on]", taken_on)
    for code, answer in answers.items():
        page.check(f"input[name='{code}'][value='{answer}']")
    page.click("main button[type=submit]:has-text('Record the check')")
    page.wait_for_load_state()


def take_two_checks(page: Any) -> None:
    import datetime as dt

    from keywork.core.dates import today
    from keywork.recovery.queries import instrument_in_use

    instrument = instrument_in_use()
    assert instrument is not None
    codes = [i["code"] for d in instrument.domains for i in d["items"]]
    page.goto("/clients/T0001/")
    page.click("a:has-text('Recovery capital')")
    page.wait_for_load_state()
    no_blocking(page)
    month_ago = (today() - dt.timedelta(days=30)).isoformat()
    take_check(page, dict.fromkeys(codes[:-1], 1), month_ago)  # the last one left out
    assert "/new/" in page.url and page.locator("#error-summary").is_visible()
    no_blocking(page)
    take_check(page, dict.fromkeys(codes, 1), month_ago)
    assert "Recovery capital check recorded." in page.inner_text(".messages")
    first = page.locator("script#recovery-chart-kw-rc10").text_content()
    take_check(page, dict.fromkeys(codes, 3), today().isoformat())
    no_blocking(page)
    data = page.locator("script#recovery-chart-kw-rc10").text_content()
    assert first != data and '"data": [1.0, 3.0]' in data
    drawn = page.evaluate(
        "() => Chart.getChart(document.querySelector("
        "\"canvas[data-chart='recovery-chart-kw-rc10']\")).data.datasets[1].data"
    )
    assert drawn == [1.0, 3.0]
    page.goto("/clients/T0001/")
    assert page.locator("canvas[data-chart='recovery-chart-kw-rc10']").is_visible()
