"""Browser journeys for the reports, in headless Chromium on a live server: the manager
opens the quality measure, sees its month chart drawn, follows a client not counted to their
record; then the dashboard, its charts drawn, and a figure's list to a client."""

from __future__ import annotations

from typing import Any

import pytest

from keywork.clients.tests.test_journeys import log_in
from keywork.measures.tests.test_qs6 import FOCUS, seen
from keywork.testing.worker import work_the_queue

pytestmark = pytest.mark.django_db(transaction=True)


def drawn(tab: Any, selector: str) -> Any:
    """The chart on the canvas once the page's scripts have drawn it: its size and points."""
    tab.wait_for_function(
        "sel => { const c = document.querySelector(sel); return window.Chart && c && "
        "Chart.getChart(c); }",
        arg=selector,
    )
    return tab.locator(selector).evaluate(DRAWN)


DRAWN = """canvas => {
    const chart = Chart.getChart(canvas);
    return chart ? {width: canvas.width, height: canvas.height,
                    points: chart.data.datasets[0].data.length} : null;
}"""


def test_a_manager_reads_the_measure_chart_and_follows_a_client_not_counted(
    page: Any,
    personas: Any,
) -> None:
    seen(personas, personas.keyworker, 5, FOCUS)  # a colleague's session: T0001 not counted
    log_in(page, "max.manager")
    page.click("nav >> text=Quality measure")
    assert "Being computed" in page.locator("#waiting").inner_text()
    work_the_queue()  # the task worker computes it; the page looks again by itself
    assert "0 of 1" in page.locator(".measure-figure").inner_text()
    chart = drawn(page, "#measure-chart")
    assert chart is not None and chart["width"] > 100 and chart["height"] > 100
    assert chart["points"] == 3  # this month and the two before it
    row = page.locator("#not-counted-list tr", has_text="T0001")
    assert "someone other than their keyworker" in row.inner_text()
    row.locator("a").click()
    assert "T0001" in page.locator("h1").inner_text()


def test_a_manager_reads_the_dashboard_charts_and_opens_a_figure(
    page: Any,
    personas: Any,
) -> None:
    seen(personas, personas.mi_keyworker, 5, FOCUS)
    log_in(page, "max.manager")
    page.click("nav >> text=Dashboard")
    assert "Being computed" in page.locator("#waiting").inner_text()
    work_the_queue()  # the service's figures, worked out by the task worker
    for name in ("chart-phases", "chart-mix", "chart-outcomes"):
        chart = drawn(page, f"canvas[data-chart={name}]")
        assert chart is not None and chart["width"] > 100, name
    page.click("#figure-outcomes_due a")
    assert page.locator("h1").inner_text() == "Outcome profiles due or overdue"
    page.click("#dashboard-list a:has-text('T0001')")
    assert "T0001" in page.locator("h1").inner_text()
