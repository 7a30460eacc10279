"""Who reads what: a reader's scope. A module of its own, without the database: the DAG files and the e-mail
settings name scopes while Airflow parses them, which must not import DuckDB."""

from __future__ import annotations

import dataclasses
import re

from safelake.errors import SafeLakeError


@dataclasses.dataclass(frozen=True)
class Scope:
    """What a reader may see: one region (ISO 3166-2 code) or the nation (None), whether it is cleared for
    small counts about minors and domestic violence, and whether it is cleared for personnel data (discipline
    and integrity: the case rows and their small counts)."""

    name: str = "national"
    region_code: str | None = None
    cleared_for_sensitive: bool = False
    cleared_for_personnel: bool = False

    def __post_init__(self) -> None:
        if self.region_code is not None and not re.fullmatch(r"[A-Z]{2}-[A-Z0-9]{1,3}", self.region_code):
            raise SafeLakeError(f"scope {self.name!r}: {self.region_code!r} is not an ISO 3166-2 region code")

    @property
    def is_national(self) -> bool:
        return self.region_code is None

    def cleared_for(self, clearance: str) -> bool:
        """Whether the scope may see what a model declares under this clearance (suppression.CLEARANCES)."""
        return self.cleared_for_personnel if clearance == "personnel" else self.cleared_for_sensitive

    @property
    def cleared_for_all(self) -> bool:
        return self.cleared_for_sensitive and self.cleared_for_personnel


NATIONAL = Scope("national", None, cleared_for_sensitive=True)
