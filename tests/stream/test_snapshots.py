"""Snapshot growth: every group commit of `safelake stream` makes a lake snapshot (~86,000 a day at 1 s).
lake_maintenance thins the older ones out to the last of each hour, never a snapshot a build pinned, and the lake
reads the same."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

from ops.maintenance import compact, expire_snapshots
from safelake import lake
from safelake.settings import Settings
from stream.consumer import Writer, open_lake
from stream.events import Message
from stream.streams import subject
from tests.conftest import PII_KEY
from tools.simulate import Camera, camera_event
from warehouse.publish import BuildRecord, builds_dir, save_record

TABLES = ("camera_heartbeat", "camera_status", "_stream_ledger", "_ingest_ledger")


def contents(con, at: int | None = None) -> dict[str, list]:
    version = f" AT (VERSION => {at})" if at is not None else ""
    return {t: sorted(map(str, con.execute(f"SELECT * FROM lake.{t}{version}").fetchall())) for t in TABLES}


def test_maintenance_bounds_the_stream_snapshots_and_the_lake_stays_equal(tmp_path: Path) -> None:
    settings = Settings(home=tmp_path / "home", pii_key=PII_KEY, stream_snapshot_hours=6)
    writer = Writer(open_lake(settings), settings)
    writer.con.execute(  # a daily file's commit in between: snapshots of the batch path are not thinned
        "INSERT INTO lake._ingest_ledger (file_sha256, dataset) VALUES ('sha-1', 'camera_status')"
    )
    cameras = [Camera(f"SN-{i}", "KG-C", f"S-{i // 4}") for i in range(8)]
    start = dt.datetime.now(dt.UTC) - dt.timedelta(minutes=30)
    for n in range(40):  # 40 group commits, each a snapshot
        at = start + dt.timedelta(seconds=n)
        kind = "state_change" if n % 10 == 0 else "heartbeat"
        events = [camera_event(c, at, kind, "online", None, n) for c in cameras]
        writer.commit(
            [
                Message(
                    "SAFELAKE_CAMERA", n * 8 + i + 1, subject("camera_heartbeat", "KG-C", kind), json.dumps(e).encode()
                )
                for i, e in enumerate(events)
            ]
        )
    snapshots = [r[0] for r in writer.con.execute("SELECT snapshot_id FROM lake.snapshots() ORDER BY 1").fetchall()]
    pinned = snapshots[-20]  # a build read the lake as of then
    pinned_view = contents(writer.con, pinned)
    now_view = contents(writer.con)
    writer.con.close()
    builds_dir(settings).mkdir(parents=True)
    save_record(settings, BuildRecord("20261201T000000-aaaaaa", start.isoformat(), lake_snapshot=pinned))
    (builds_dir(settings) / "20261201T000000-aaaaaa.duckdb").write_bytes(b"")  # its warehouse file is kept

    compact(settings)
    young = expire_snapshots(settings)
    assert young["snapshots_expired"] == 0  # younger than 6 hours: every commit can still be read as of

    later = dt.datetime.now(dt.UTC) + dt.timedelta(hours=7)
    report = expire_snapshots(settings, later)

    con = lake.connect(settings, read_only=True)
    try:
        left = [r[0] for r in con.execute("SELECT snapshot_id FROM lake.snapshots() ORDER BY 1").fetchall()]
        stream_left = con.execute("SELECT count(*) FROM lake.snapshots() WHERE author = 'safelake stream'").fetchone()
        assert contents(con) == now_view
        assert contents(con, pinned) == pinned_view
    finally:
        con.close()
    # the 40 commits made within the last half hour: at most 2 clock hours, each keeping its last; plus the pin
    assert stream_left[0] <= 3
    assert pinned in left and snapshots[-1] in left
    assert report["snapshots_expired"] >= 37 and report["snapshots_after"] == len(left)
    assert expire_snapshots(settings, later)["snapshots_expired"] == 0  # a rerun changes nothing
