"""Where the benchmarks put their figures: docs/bench-<name>.json, and their own section of docs/benchmarks.md."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

DOCS = Path(__file__).resolve().parents[1] / "docs"


def publish(name: str, result: dict[str, Any], section: str) -> None:
    """Write the raw figures, and put `section` (a "## ..." heading and its text) in place of the section of the same
    heading in docs/benchmarks.md, or after the last one; the other sections belong to other benchmarks."""
    (DOCS / f"bench-{name}.json").write_text(json.dumps(result, indent=2) + "\n", encoding="utf-8")
    path = DOCS / "benchmarks.md"
    heading = section.split("\n", 1)[0]
    text = path.read_text(encoding="utf-8")
    start = text.find(heading + "\n")
    if start == -1:
        text = text.rstrip("\n") + "\n\n" + section.rstrip("\n") + "\n"
    else:
        end = text.find("\n## ", start + len(heading))
        text = text[:start] + section.rstrip("\n") + "\n" + ("" if end == -1 else text[end:])
    path.write_text(text, encoding="utf-8")
