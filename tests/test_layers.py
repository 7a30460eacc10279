"""The floors: imports only go down (the order is pyproject.toml's import contract), every package is on a
floor, the README lists them in that order, and the wheel ships no tooling."""

from __future__ import annotations

import subprocess
import sys
import tomllib
import zipfile
from pathlib import Path

import pytest

from tests.conftest import REPO

CONFIG = tomllib.loads((REPO / "pyproject.toml").read_text())
CONTRACT = CONFIG["tool"]["importlinter"]["contracts"][0]
BIN = Path(sys.executable).parent


def floors() -> list[list[str]]:
    return [[name.strip() for name in layer.split("|")] for layer in CONTRACT["layers"]]


def test_imports_only_go_down() -> None:
    done = subprocess.run([BIN / "lint-imports"], cwd=REPO, capture_output=True, text=True)
    assert done.returncode == 0, done.stdout[-3000:]


def test_the_contract_fails_on_an_import_that_goes_up(tmp_path: Path) -> None:
    """The check itself can fail: a core module that imports the CLI inside a function breaks the contract."""
    for package in CONFIG["tool"]["importlinter"]["root_packages"]:
        (tmp_path / package).mkdir()
        (tmp_path / package / "__init__.py").write_text("")
    (tmp_path / "ops" / "cli.py").write_text("")
    (tmp_path / "safelake" / "lake.py").write_text("def f():\n    from ops import cli\n")
    (tmp_path / "pyproject.toml").write_text((REPO / "pyproject.toml").read_text())
    done = subprocess.run([BIN / "lint-imports"], cwd=tmp_path, capture_output=True, text=True)
    assert done.returncode != 0 and "safelake.lake -> ops.cli" in done.stdout


def test_every_package_is_on_a_floor() -> None:
    packages = {p.parent.name for p in REPO.glob("*/__init__.py")} - {"tests"}
    assert packages == {name for floor in floors() for name in floor}
    assert CONFIG["tool"]["importlinter"]["root_packages"] == [name for floor in floors() for name in floor]


def test_the_readme_lists_the_floors_in_order() -> None:
    readme = (REPO / "README.md").read_text()
    section = readme.split("## Where things live", 1)[1].split("\n## ", 1)[0]
    positions = [[section.index(f"`{name}/`") for name in floor] for floor in floors()]
    assert all(max(upper) < min(lower) for upper, lower in zip(positions, positions[1:], strict=False))


def test_the_dags_use_no_tooling() -> None:
    for dag in (REPO / "dags").glob("*.py"):
        assert "tools" not in {
            line.split()[1].split(".")[0]
            for line in dag.read_text().splitlines()
            if line.lstrip().startswith(("from ", "import "))
        }, dag


@pytest.mark.slow
def test_the_wheel_ships_no_demo_or_bench_module(tmp_path: Path) -> None:
    subprocess.run(
        [BIN / "pip", "wheel", "--no-deps", "-q", "-w", tmp_path, REPO],
        check=True,
        capture_output=True,
    )
    (wheel,) = tmp_path.glob("safelake-*.whl")
    names = zipfile.ZipFile(wheel).namelist()
    assert any(n.startswith("ops/cli.py") for n in names) and any(n.startswith("access/policy.py") for n in names)
    assert not [n for n in names if n.startswith("tools/") or "demo" in n or "bench" in n]
