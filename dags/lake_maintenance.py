"""lake_maintenance: nightly upkeep of the lake, the warehouse builds and the archive.

Compacts the lake's small Parquet files, then expires snapshots older than
SAFELAKE_SNAPSHOT_RETENTION_DAYS and deletes the files only they used; keeps the newest
SAFELAKE_KEEP_BUILDS published warehouse builds; deletes original exports archived more than
SAFELAKE_ARCHIVE_RETENTION_DAYS ago. The lake steps hold the ingestion lock, so they wait for a
running ingestion rather than interleave with it.
"""

from __future__ import annotations

from airflow.sdk import dag, task
from safelake_airflow import default_args, start_date

from safelake.settings import get_settings

settings = get_settings()


@dag(
    schedule="30 2 * * *",  # 02:30 in the plan's time zone, when nobody sends exports
    start_date=start_date(settings),
    catchup=False,
    max_active_runs=1,
    tags=["safelake", "lake", "maintenance"],
    default_args=default_args(settings),
    doc_md=__doc__,
)
def lake_maintenance() -> None:
    @task
    def compact_lake() -> dict:
        from ops.maintenance import compact

        report = compact(get_settings())
        print(f"lake files {report['files_before']} -> {report['files_after']}: {report}")
        return report

    @task
    def expire_snapshots() -> dict:
        from ops.maintenance import expire_snapshots

        report = expire_snapshots(get_settings())
        print(f"lake snapshots {report['snapshots_before']} -> {report['snapshots_after']}: {report}")
        return report

    @task
    def prune_builds() -> dict:
        from ops.maintenance import prune_builds

        report = prune_builds(get_settings())
        print(f"warehouse builds {report['builds_before']} -> {report['builds_after']}")
        return report

    @task
    def apply_archive_retention() -> dict:
        from ops.maintenance import apply_archive_retention

        report = apply_archive_retention(get_settings())
        print(f"archive: {report['files_deleted']} file(s) deleted, {report['bytes_freed']:,} bytes freed")
        return report

    compact_lake() >> expire_snapshots()
    prune_builds()
    apply_archive_retention()


lake_maintenance()
