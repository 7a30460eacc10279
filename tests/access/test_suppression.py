"""Small-count suppression: declared next to the models, applied to every declared column, and audited
against differencing: as an analyst and as a regional chief, no combination of published figures gives a
hidden cell back (a linear-algebra proof over each table's additive structure, and the attacks themselves)."""

from __future__ import annotations

import json
import re
from collections import defaultdict
from pathlib import Path

import duckdb
import numpy as np
import pytest
import yaml

from access.policy import NATIONAL, QueryRefused, Scope, connect, run_sql
from access.suppression import TableRules, hidden_cells
from safelake.settings import Settings

MODELS = Path(__file__).resolve().parents[2] / "dbt_project" / "models" / "marts"
ANALYST = Scope("ana", None)
CHIEF = Scope("chief", "KG-GB")
# a column whose name or description says it is about minors, domestic violence or a victim's age
SENSITIVE_WORDS = re.compile(
    r"minor|child|under 18|juvenile|domestic|\bdv_|victim.s age|age group|age_group|victim_age", re.IGNORECASE
)


def _declared_columns() -> list[tuple[str, str, str, dict]]:
    """(file, model, column name, column entry); a column the model's `sensitive_rows` names (the breakdown
    that picks the victims' age group) counts as declared: it says which rows are sensitive."""
    found = []
    for path in sorted(MODELS.rglob("_*.yml")):
        for model in yaml.safe_load(path.read_text()).get("models", []):
            rows = model.get("meta", {}).get("sensitive_rows", "")
            for column in model.get("columns", []):
                if re.search(rf"\b{column['name']}\b", rows):
                    column = {**column, "meta": {"sensitive": "rows", **column.get("meta", {})}}
                found.append((path.name, model["name"], column["name"], column))
    return found


def test_every_column_about_minors_dv_or_victim_age_is_declared_sensitive() -> None:
    undeclared = [
        f"{file}: {model}.{name}"
        for file, model, name, column in _declared_columns()
        if SENSITIVE_WORDS.search(f"{name} {column.get('description', '')}")
        and "sensitive" not in column.get("meta", {})
    ]
    assert not undeclared, "declare `meta: {sensitive: ...}` (docs/access.md) on " + ", ".join(undeclared)


def test_the_word_list_catches_the_columns_that_leaked() -> None:
    """The children hurt on the roads and the fraud victims' age group were visible before; both are caught."""
    caught = {
        (model, name)
        for _, model, name, column in _declared_columns()
        if SENSITIVE_WORDS.search(f"{name} {column.get('description', '')}")
    }
    assert {("agg_road_daily", "children_hurt"), ("fct_fraud_reports", "victim_age_group")} <= caught


@pytest.fixture(scope="module")
def settings(published, tmp_path_factory) -> Settings:
    return published.settings().model_copy(update={"users_file": tmp_path_factory.mktemp("u") / "users.yaml"})


@pytest.fixture(scope="module")
def declared(settings: Settings) -> dict[str, dict]:
    con = connect(settings, NATIONAL)
    rows = con.execute(
        "SELECT schema_name || '.' || table_name, column_name, meta FROM published.meta.declared"
    ).fetchall()
    tables: dict[str, dict] = defaultdict(lambda: {"columns": {}, "meta": {}})
    for table, column, meta in rows:
        if column is None:
            tables[table]["meta"] = json.loads(meta)
        else:
            tables[table]["columns"][column] = json.loads(meta)
    return tables


@pytest.mark.slow
@pytest.mark.parametrize("scope", [ANALYST, CHIEF], ids=["analyst", "regional_chief"])
def test_every_declared_column_is_suppressed(settings: Settings, declared: dict, scope: Scope) -> None:
    below = settings.suppress_below
    con, full = connect(settings, scope), connect(settings, NATIONAL)
    assert {"marts.kpi_road_compstat", "analytics.fraud_reports", "marts.kpi_fraud_breakdown"} <= set(declared)
    for table, entry in declared.items():
        rows = entry["meta"].get("sensitive_rows") or "true"
        for column, meta in entry["columns"].items():
            kind = meta["sensitive"]
            leaked = {
                "withheld": f"{column} IS NOT NULL",
                "count": f"{column} BETWEEN 1 AND {below - 1}",
                "derived": f"{column} IS NOT NULL AND ({' OR '.join(f'{c} IS NULL' for c in meta.get('of', []))})",
            }[kind]
            sql = f"SELECT count(*) FROM {table} WHERE ({rows}) AND ({leaked})"
            assert con.execute(sql).fetchone()[0] == 0, f"{table}.{column} ({kind}) leaks to {scope.name}"
        if entry["columns"]:  # the cleared scope still sees everything
            assert full.execute(f"SELECT count(*) FROM {table}").fetchone()[0] > 0


def test_a_column_declared_sensitive_is_suppressed_whatever_its_name(tmp_path: Path) -> None:
    """The policy keys on the declaration, not on the name: a new column `xyz` declared `count` is hidden."""
    con = duckdb.connect()
    con.execute(
        "CREATE TABLE t AS SELECT * FROM (VALUES ('nation', NULL, 'all', 9), ('nation', NULL, 'a', 2), "
        "('nation', NULL, 'b', 7), ('region', 'R1', 'all', 9), ('region', 'R1', 'a', 2), ('region', 'R1', 'b', 7)) "
        "v(level, region, cat, xyz)"
    )
    rules = TableRules(
        "t",
        {"xyz": {"sensitive": "count"}},
        suppression={"area": ["level", "region"], "category": "cat", "category_total": "all"},
    )
    hidden = hidden_cells(con, "t", rules, 5)["xyz"]
    cats = dict(con.execute("SELECT rowid, level || '/' || cat FROM t").fetchall())
    # the 2s are primary; every relation then has one hidden member only, so the 7s go too; the totals stay
    assert sorted(cats[c] for c in hidden) == ["nation/a", "nation/b", "region/a", "region/b"]


# ---- the audit: no hidden cell is a linear combination of published figures -------------------------------


def _recoverable(figures: list[tuple[frozenset, bool]]) -> list[int]:
    """Indexes of the hidden figures (visible=False) whose atom set lies in the span of the visible ones:
    exactly what an attacker can compute by adding and subtracting published figures."""
    known = {next(iter(a)) for a, shown in figures if shown and len(a) == 1}  # a published cell of one atom
    figures = [(a - known, shown) for a, shown in figures]  # the rest of the algebra is about the unknown atoms
    hidden = [(i, a) for i, (a, shown) in enumerate(figures) if not shown]
    recoverable = [i for i, a in hidden if not a]  # all of its atoms are published one by one
    atoms = sorted(set().union(*(a for a, _ in figures)), key=repr)
    if not any(a for _, a in hidden):
        return recoverable
    index = {a: i for i, a in enumerate(atoms)}

    def vector(atom_set: frozenset) -> np.ndarray:
        v = np.zeros(len(atoms))
        v[[index[a] for a in atom_set]] = 1
        return v

    visible = np.array([vector(a) for a, shown in figures if shown] or [vector(frozenset())])
    # an orthonormal basis of the visible figures' span: the eigenvectors of their Gram matrix that carry weight
    weights, vectors = np.linalg.eigh(visible.T @ visible)
    basis = vectors[:, weights > 1e-9 * max(weights.max(), 1)]
    targets = np.array([vector(a) for i, a in hidden if a]).T
    residual = np.abs(targets - basis @ (basis.T @ targets)).max(axis=0)
    return recoverable + [i for (i, a), r in zip([h for h in hidden if h[1]], residual, strict=True) if r < 1e-6]


def _compstat_figures(con, full, table: str, category: str, column: str, window: str, region: str | None):
    """Figures of one window and period: each row's cell as a set of atoms (district x category leaves) of the
    scope's region (None: all); atoms without a row are published zeros."""
    rows = con.execute(
        f"SELECT area_level, region_code, district_code, {category}, {column} IS NOT NULL FROM {table} "
        f"WHERE compstat_window = '{window}'"
    ).fetchall()
    leaves = full.execute(
        f"SELECT DISTINCT region_code, district_code FROM {table} WHERE area_level = 'district' "
        "AND coalesce(region_code = ?, true)",
        [region],
    ).fetchall()
    categories = [
        c for (c,) in full.execute(f"SELECT DISTINCT {category} FROM {table} WHERE {category} <> 'all'").fetchall()
    ]
    figures, covered = [], set()
    for level, region, district, cat, shown in rows:
        areas = [
            leaf
            for leaf in leaves
            if level == "nation" or (leaf[0] == region and (level == "region" or leaf[1] == district))
        ]
        atoms = frozenset((a, c) for a in areas for c in (categories if cat == "all" else [cat]))
        figures.append((atoms, shown))
        if level == "district" and cat != "all":
            covered |= atoms
    figures += [(frozenset([(a, c)]), True) for a in leaves for c in categories if (a, c) not in covered]
    return figures


@pytest.mark.parametrize("seed", range(40))
def test_random_tables_keep_every_hidden_cell(seed: int) -> None:
    """The rule on 40 random region x district x category tables with many small cells: no hidden cell is a
    combination of the published ones (and the 'all' totals are still published where nothing forced them)."""
    rng = np.random.default_rng(seed)
    regions = {f"R{r}": [f"R{r}D{d}" for d in range(rng.integers(1, 5))] for r in range(rng.integers(2, 5))}
    categories = [f"c{c}" for c in range(rng.integers(2, 6))]
    leaf = {
        (d, c): int(rng.choice([0, 0, 1, 2, 3, 4, 6, 9, 20])) for ds in regions.values() for d in ds for c in categories
    }
    rows = []
    for level, region, district in [("nation", None, None)] + [
        x for r, ds in regions.items() for x in [("region", r, None)] + [("district", r, d) for d in ds]
    ]:
        leaves = [d for r, ds in regions.items() for d in ds if region in (None, r) and district in (None, d)]
        for cat in [*categories, "all"]:
            cats = categories if cat == "all" else [cat]
            rows.append((level, region, district, cat, sum(leaf[(d, c)] for d in leaves for c in cats), leaves, cats))
    con = duckdb.connect()
    con.execute("CREATE TABLE t (level VARCHAR, region VARCHAR, district VARCHAR, cat VARCHAR, n INTEGER)")
    con.executemany("INSERT INTO t VALUES (?, ?, ?, ?, ?)", [r[:5] for r in rows])
    spec = {"area": ["level", "region", "district"], "category": "cat", "category_total": "all"}
    hidden = hidden_cells(con, "t", TableRules("t", {"n": {"sensitive": "count"}}, suppression=spec), 5)["n"]
    order = [rowid for (rowid,) in con.execute("SELECT rowid FROM t ORDER BY rowid").fetchall()]
    figures = [
        (frozenset((d, c) for d in r[5] for c in r[6]), rowid not in hidden)
        for rowid, r in zip(order, rows, strict=True)
    ]
    assert _recoverable(figures) == []
    assert all(not (1 <= r[4] < 5) or rowid in hidden for rowid, r in zip(order, rows, strict=True))


COMPSTAT = [
    ("marts.kpi_crime_compstat", "offence_code", "crimes_against_minors"),
    ("marts.kpi_crime_compstat", "offence_code", "dv_crimes"),
    ("marts.kpi_road_compstat", "cause", "children_hurt"),
]


@pytest.mark.slow
@pytest.mark.parametrize("scope", [ANALYST, CHIEF], ids=["analyst", "regional_chief"])
@pytest.mark.parametrize(("table", "category", "family"), COMPSTAT, ids=[f for *_, f in COMPSTAT])
def test_no_hidden_compstat_cell_can_be_recovered(
    settings: Settings, scope: Scope, table: str, category: str, family: str
) -> None:
    con, full = connect(settings, scope), connect(settings, NATIONAL)
    # the structure the audit assumes holds in the data: a region is the sum of its districts, 'all' of the rest
    assert not full.execute(
        f"""SELECT 1 FROM {table} r JOIN (SELECT compstat_window, region_code, {category}, sum({family}_current) s
        FROM {table} WHERE area_level = 'district' GROUP BY ALL) d USING (compstat_window, region_code, {category})
        WHERE r.area_level = 'region' AND r.{family}_current <> d.s"""
    ).fetchall()
    hidden_total = 0
    for window in ("wtd", "28d", "ytd"):
        for period in ("current", "prior"):
            figures = _compstat_figures(con, full, table, category, f"{family}_{period}", window, scope.region_code)
            hidden_total += sum(not shown for _, shown in figures)
            assert _recoverable(figures) == [], f"{table} {window} {period}: a hidden cell can be recomputed"
    if family == "crimes_against_minors" and scope is ANALYST:
        assert hidden_total > 0, "the fixture has small cells to protect"


@pytest.mark.slow
@pytest.mark.parametrize("scope", [ANALYST, CHIEF], ids=["analyst", "regional_chief"])
def test_no_hidden_fraud_age_cell_can_be_recovered(settings: Settings, scope: Scope) -> None:
    con = connect(settings, scope)
    regions = [r for (r,) in con.execute("SELECT DISTINCT region_code FROM analytics.regions").fetchall()]
    for column in ("fraud_reports", "reports_with_loss", "victims"):
        for window in ("28d", "ytd"):
            rows = con.execute(
                f"SELECT area_level, region_code, breakdown_value, {column} IS NOT NULL FROM marts.kpi_fraud_breakdown "
                f"WHERE compstat_window = '{window}' AND breakdown = 'victim_age_group'"
            ).fetchall()
            groups = sorted({g for _, _, g, _ in rows})
            area = {"nation": regions}
            figures = [
                (frozenset((r, g) for r in (regions if level == "nation" else [region])), shown)
                for level, region, g, shown in rows
            ]
            # every area's total over age groups is published (the sum of any other breakdown)
            figures += [
                (frozenset((r, g) for r in area.get(a, [a]) for g in groups), True) for a in ["nation", *regions]
            ]
            assert _recoverable(figures) == [], f"{column} {window}"


# ---- the attacks themselves, through run_sql as each user would type them ---------------------------------

ATTACKS = {
    # total minus the visible parts, where exactly one part is hidden
    "all_minus_offences": """
        SELECT a.compstat_window, a.area_level, a.region_code, a.district_code
        FROM marts.kpi_crime_compstat a JOIN marts.kpi_crime_compstat p
          USING (compstat_window, area_level, region_code, district_code)
        WHERE a.offence_code = 'all' AND p.offence_code <> 'all' AND a.crimes_against_minors_current IS NOT NULL
        GROUP BY ALL HAVING count(*) FILTER (p.crimes_against_minors_current IS NULL) = 1""",
    "region_minus_districts": """
        SELECT r.compstat_window, r.region_code, r.offence_code
        FROM marts.kpi_crime_compstat r JOIN marts.kpi_crime_compstat d
          ON d.area_level = 'district' AND r.area_level = 'region'
          AND (d.compstat_window, d.region_code, d.offence_code) = (r.compstat_window, r.region_code, r.offence_code)
        WHERE r.dv_crimes_current IS NOT NULL
        GROUP BY ALL HAVING count(*) FILTER (d.dv_crimes_current IS NULL) = 1""",
    "nation_minus_regions": """
        SELECT n.compstat_window, n.cause FROM marts.kpi_road_compstat n JOIN marts.kpi_road_compstat r
          ON n.area_level = 'nation' AND r.area_level = 'region'
          AND (n.compstat_window, n.cause) = (r.compstat_window, r.cause)
        WHERE n.children_hurt_current IS NOT NULL
        GROUP BY ALL HAVING count(*) FILTER (r.children_hurt_current IS NULL) = 1""",
    "fraud_total_minus_age_groups": """
        SELECT compstat_window, area_level, region_code FROM marts.kpi_fraud_breakdown
        WHERE breakdown = 'victim_age_group' GROUP BY ALL HAVING count(*) FILTER (fraud_reports IS NULL) = 1""",
    # the daily mart's total minus the visible facts: the facts no longer leave the sensitive cases out
    "daily_total_minus_facts": """
        SELECT a.date_day, a.district_code, a.offence_code FROM marts.agg_crime_daily a
        LEFT JOIN (SELECT registered_date, region_code, district_code, offence_code, count(*) n
                   FROM analytics.crime_reports GROUP BY ALL) f
          ON (f.registered_date, f.region_code, f.district_code, f.offence_code)
             IS NOT DISTINCT FROM (a.date_day, a.region_code, a.district_code, a.offence_code)
        WHERE a.crimes_registered <> coalesce(f.n, 0)""",
    "facts_flagged": """
        SELECT crime_report_id FROM analytics.crime_reports WHERE is_victim_minor OR is_domestic_violence
        UNION ALL SELECT fraud_report_id FROM analytics.fraud_reports WHERE victim_age_group IS NOT NULL
        UNION ALL SELECT road_incident_id FROM analytics.road_incidents WHERE children_hurt IS NOT NULL""",
    "daily_counts": """
        SELECT date_day FROM marts.agg_crime_daily WHERE crimes_against_minors IS NOT NULL OR dv_crimes IS NOT NULL
        UNION ALL SELECT date_day FROM marts.agg_road_daily WHERE children_hurt IS NOT NULL""",
    "burnup_day_by_day": """
        SELECT date_day FROM marts.kpi_plan_burnup
        WHERE target_id IN ('minors_crimes', 'domestic_violence') AND actual_to_date IS NOT NULL""",
}


@pytest.mark.slow
@pytest.mark.parametrize("scope", [ANALYST, CHIEF], ids=["analyst", "regional_chief"])
@pytest.mark.parametrize("attack", sorted(ATTACKS))
def test_differencing_attacks_recover_nothing(settings: Settings, scope: Scope, attack: str) -> None:
    result = run_sql(settings, scope.name, scope, ATTACKS[attack])
    assert result.rows == [], f"{attack} as {scope.name}: {result.rows[:3]}"
    last = json.loads(settings.audit_log.read_text().splitlines()[-1])
    assert (last["user"], last["status"]) == (scope.name, "ok")


def test_the_policy_tables_cannot_be_read(settings: Settings) -> None:
    with pytest.raises(QueryRefused, match="only the views"):
        run_sql(settings, "ana", ANALYST, "SELECT * FROM policy.hidden_0")
