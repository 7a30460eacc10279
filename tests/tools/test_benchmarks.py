"""The benchmarks' measuring code runs against a published warehouse (a small one: the figures are not checked
here, only that each benchmark still measures what it says after the code it drives changed)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from safelake.settings import get_settings
from tests.conftest import PII_KEY, Published
from tools import bench_dashboards, bench_email


@pytest.fixture
def home(published: Published, monkeypatch: pytest.MonkeyPatch) -> Iterator[Published]:
    monkeypatch.setenv("SAFELAKE_HOME", str(published.home))
    monkeypatch.setenv("SAFELAKE_PII_KEY", PII_KEY)
    get_settings.cache_clear()
    yield published
    get_settings.cache_clear()


def test_bench_dashboards_renders_a_page(home: Published) -> None:
    page, maps = bench_dashboards.render("crime")
    assert page > maps > 0
    assert bench_dashboards.scale()["crime_reports"] > 0


def test_bench_email_renders_briefings_and_its_baseline(home: Published) -> None:
    result = bench_email.run(3, baseline_n=1)
    assert result["emails"] == 3 and result["baseline_emails"] == 1
    assert result["mean_email_bytes"] > 10_000
    assert result["chart_render_alone_s"] > 0
