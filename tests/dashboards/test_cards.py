"""The headline cards' changes against a year earlier, each in its figure's own unit."""

from __future__ import annotations

import pytest
from streamlit.testing.v1 import AppTest


def cards_app(lang: str) -> None:
    import pandas as pd

    from dashboards import ui

    total = pd.DataFrame(
        {
            "calls_current": [1200],
            "calls_pct_change": [12.5],
            "to_arrival_p90_minutes": [14.0],
            "to_arrival_p90_minutes_prior": [12.8],
            "arrival_within_standard_pct": [81.0],
            "arrival_within_standard_pct_prior": [83.5],
            "prior_is_complete": [True],
        }
    )
    figures = {
        "calls_current": ("calls", "int"),
        "to_arrival_p90_minutes": ("to arrival", "num1"),
        "arrival_within_standard_pct": ("within standard", "pct"),
    }
    ui.cards(total, figures, lang)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("lang", "expected"),
    [
        ("en", {"calls": "+12.5%", "to arrival": "+1.2", "within standard": "-2.5\u00a0pp"}),
        ("ru", {"calls": "+12,5\u00a0%", "to arrival": "+1,2", "within standard": "-2,5\u00a0п.п."}),
    ],
)
def test_a_count_changes_in_percent_a_time_in_minutes_a_percentage_in_points(lang: str, expected: dict) -> None:
    at = AppTest.from_function(cards_app, args=(lang,))
    at.run()
    assert not at.exception
    assert {m.label: m.delta for m in at.metric} == expected
