"""The HTTP ingress against a real nats-server: bad input refused whole with one line, accepted events in the lake
exactly once (a batch sent twice counts once)."""

from __future__ import annotations

import asyncio
import json

import pytest
from starlette.testclient import TestClient

from safelake.errors import SafeLakeError
from safelake.settings import Settings
from stream.ingress import create_app
from tests.stream.conftest import Live
from tests.stream.feed import events, expected, held, stored, wait_until_taken

pytestmark = pytest.mark.slow
TOKEN = "dispatch-token-0123456789abcdef"
OTHER = "vms-token-0123456789abcdefghij"


def client(live: Live, **limits: object) -> TestClient:
    return TestClient(create_app(live.settings(ingress_tokens={"dispatch": TOKEN, "vms": OTHER}, **limits)))


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def test_bad_tokens_oversize_bodies_and_bad_json_are_refused_with_one_line(live):
    good = [e for s, e in events(20, seed=1) if s.startswith("safelake.camera")][:2]
    refused = {
        "no token": (401, {}, json.dumps(good)),
        "unknown token": (401, bearer("not-a-token-0123456789abcdef"), json.dumps(good)),
        "oversize": (413, bearer(TOKEN), json.dumps(good * 400)),
        "not JSON": (400, bearer(TOKEN), '[{"event_id": "a",'),
        "not an array": (400, bearer(TOKEN), json.dumps(good[0])),
        "NaN": (400, bearer(TOKEN), '[{"event_id": "a", "region_code": "KG-C", "latitude": NaN}]'),
        "no event id": (400, bearer(TOKEN), json.dumps([good[0], {**good[1], "event_id": None}])),
        "unknown region": (400, bearer(TOKEN), json.dumps([{**good[0], "region_code": "KG-C.>"}])),
    }
    with client(live, ingress_max_body_bytes=16_384) as http:
        for what, (status, headers, body) in refused.items():
            answer = http.post("/v1/camera_heartbeat", content=body, headers=headers)
            assert answer.status_code == status, what
            assert answer.text.count("\n") == 1 and answer.text.endswith("\n") and len(answer.text) > 20, what
        unknown = http.post("/v1/cameras", content=json.dumps(good), headers=bearer(TOKEN))
        assert unknown.status_code == 404 and "camera_heartbeat" in unknown.text
    assert asyncio.run(stored(live.broker.url)) == 0  # a refused batch is refused whole


def test_a_source_over_its_rate_is_told_when_to_retry(live):
    batch = json.dumps([e for _, e in events(40, seed=2) if e.get("region_code") == "KG-C"][:5])
    with client(live, ingress_rate=5, ingress_max_batch=5) as http:
        assert http.post("/v1/camera_heartbeat", content=batch, headers=bearer(TOKEN)).status_code == 202
        again = http.post("/v1/camera_heartbeat", content=batch, headers=bearer(TOKEN))
        assert again.status_code == 429 and again.headers["Retry-After"] == "1"
        assert "over 5 events/s" in again.text
        # each source has its own allowance
        assert http.post("/v1/camera_heartbeat", content=batch, headers=bearer(OTHER)).status_code == 202


def test_accepted_events_reach_the_lake_once(live):
    published = events(450, seed=3)
    by_dataset: dict[str, list[dict]] = {}
    for subj, event in published:
        dataset = {"camera": "camera_heartbeat", "call": "dispatch_call", "incident": "incident_report"}
        by_dataset.setdefault(dataset[subj.split(".")[1]], []).append(event)
    with client(live) as http:
        for dataset, found in by_dataset.items():
            for start in range(0, len(found), 100):
                batch = json.dumps(found[start : start + 100])
                answer = http.post(f"/v1/{dataset}", content=batch, headers=bearer(TOKEN))
                assert answer.status_code == 202, answer.text
                assert answer.json()["accepted"] + answer.json()["duplicates"] == len(found[start : start + 100])
        calls = by_dataset["dispatch_call"][:100]
        resent = http.post("/v1/dispatch_call", content=json.dumps(calls), headers=bearer(OTHER))  # a lost answer
        assert resent.json() == {"accepted": 0, "duplicates": len(calls)}
    live.consumer()
    wait_until_taken(live.settings(), live.broker.url)
    # published per dataset, not in the feed's order: the newest version by time still wins
    assert held(live.settings()) == expected(published)


def test_no_tokens_no_ingress(live):
    with pytest.raises(SafeLakeError, match="SAFELAKE_INGRESS_TOKENS is not set"):
        create_app(live.settings())
    with pytest.raises(ValueError, match="at least 24 characters"):
        Settings(ingress_tokens={"dispatch": "short"})
