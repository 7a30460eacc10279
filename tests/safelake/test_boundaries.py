"""The boundary files of the reference geographies (safelake/reference/<geography>/<level>s.geojson): every region
and district of the reference data has a shape and every shape is a reference area, each with its attribution."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from access import i18n
from safelake import reference
from safelake.errors import SafeLakeError
from safelake.reference import REFERENCE_DIR

WITH_BOUNDARIES = sorted({p.parent.name for p in REFERENCE_DIR.glob("*/*.geojson")})


def test_kyrgyzstan_and_kazakhstan_have_boundaries() -> None:
    assert {"kg", "kz"} <= set(WITH_BOUNDARIES)
    assert reference.boundaries("kg", "district") is not None and reference.boundaries("kz", "district") is None


@pytest.mark.parametrize("geography", WITH_BOUNDARIES)
def test_every_reference_area_has_a_shape_and_every_shape_is_a_reference_area(geography: str) -> None:
    geo = reference.geography(geography)
    for level, codes in (
        ("region", set(geo.regions["region_code"])),
        ("district", set(geo.districts["district_code"])),
    ):
        found = reference.boundaries(geography, level)
        if found is None:
            continue
        covered = [code for feature in found["features"] for code in reference.covered(feature)]
        assert len(covered) == len(set(covered)), f"{geography} {level}: an area with two shapes"
        assert set(covered) == codes, (geography, level, sorted(set(covered) ^ codes))
        if level == "district":  # a district's shape lies in its own region
            regions = dict(zip(geo.districts["district_code"], geo.districts["region_code"], strict=True))
            for feature in found["features"]:
                assert {regions[c] for c in reference.covered(feature)} == {feature["properties"]["region_code"]}


@pytest.mark.parametrize("geography", WITH_BOUNDARIES)
def test_every_geography_with_boundaries_has_its_attribution_and_licence(geography: str) -> None:
    text = (REFERENCE_DIR / geography / "BOUNDARIES.md").read_text(encoding="utf-8")
    assert "**Attribution text:**" in text and "CC BY" in text
    assert all(i18n.t(f"map_attribution_{geography}", lang) for lang in i18n.LANGS)


def test_a_broken_boundary_file_is_refused_with_one_line(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from safelake.settings import get_settings

    (tmp_path / "xx").mkdir()
    (tmp_path / "xx" / "regions.geojson").write_text(json.dumps({"features": [{"properties": {}}]}), "utf-8")
    monkeypatch.setenv("SAFELAKE_REFERENCE_DIR", str(tmp_path))
    get_settings.cache_clear()
    try:
        with pytest.raises(SafeLakeError, match=r"boundary file .*xx/regions.geojson: not a GeoJSON .* fix or remove"):
            reference.boundaries("xx", "region")
    finally:
        get_settings.cache_clear()
