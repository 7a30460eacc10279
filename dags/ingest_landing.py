"""ingest_landing: new export files in landing/<dataset>/ go into the lake, one task per dataset.

Every 10 minutes a run waits (deferred, in the triggerer) for a file that is ready to ingest, then
ingests each dataset's folder through the ingestion package: bad rows go to quarantine (the summary by
reason is in each task's log), a file that cannot be read is refused and fails its dataset's task
while the other datasets go on. Then one `safelake://lake/<dataset>` Asset event is emitted per
dataset whose lake table changed (what schedules build_warehouse), and the run fails at the end if a
dataset's task failed, so the run shows it too.
"""

from __future__ import annotations

from airflow.sdk import AssetAlias, TriggerRule, dag, get_current_context, task
from safelake_airflow import LandingSensor, default_args, failed_tasks, lake_asset, start_date

from safelake.contracts import load_contracts
from safelake.settings import get_settings

settings = get_settings()
UPDATES = AssetAlias("safelake-lake-updates")
EVERY = 10  # minutes between runs; a run waits for files at most this long


@dag(
    schedule=f"*/{EVERY} * * * *",
    start_date=start_date(settings),
    catchup=False,
    max_active_runs=1,
    # One writer at a time: datasets are ingested one after another (ingestion also holds a lock).
    max_active_tasks=1,
    tags=["safelake", "lake", "ingestion"],
    default_args=default_args(settings),
    doc_md=__doc__,
)
def ingest_landing() -> None:
    wait = LandingSensor(
        task_id="wait_for_files", landing=str(settings.landing), poke_interval=30, timeout=(EVERY - 1) * 60
    )

    @task
    def ingest_dataset(dataset: str) -> dict:
        """Ingest landing/<dataset>/; skipped when nothing waits there; fails if a file was refused."""
        from airflow.sdk.exceptions import AirflowException, AirflowFailException, AirflowSkipException

        from ingestion.runs import ingest_dataset

        run = ingest_dataset(get_settings(), dataset)
        if not run.results:
            raise AirflowSkipException(f"nothing new in landing/{dataset}/")
        print(run.summary())
        refused, failed = run.with_status("refused"), run.with_status("failed")
        if failed:  # a lake or I/O error: worth another try
            raise AirflowException(f"{len(failed)} file(s) of {dataset} failed: {failed[0].message}")
        if refused:  # the file itself is unreadable: retrying cannot help, its task fails at once
            names = ", ".join(r.path.name for r in refused)
            raise AirflowFailException(
                f"{len(refused)} file(s) refused in landing/{dataset}/ ({names}): {refused[0].message}"
            )
        return {"files": len(run.results), "merged": run.merged, "quarantined": run.quarantined}

    @task(outlets=[UPDATES], trigger_rule=TriggerRule.ALL_DONE)
    def announce_updates() -> dict:
        """Emit one Asset event per dataset whose lake table changed in this run (from the lake's ledger)."""
        from airflow.sdk.exceptions import AirflowSkipException

        from ingestion.runs import updated_since

        context = get_current_context()
        ti = context["ti"]
        states = ti.get_task_states(dag_id=ti.dag_id, run_ids=[ti.run_id]).get(ti.run_id, {})
        if all(state == "skipped" for task_id, state in states.items() if task_id.startswith("ingest_")):
            raise AirflowSkipException("no dataset had new files")
        updated = updated_since(get_settings(), context["dag_run"].start_date)
        for dataset, merged in updated.items():
            context["outlet_events"][UPDATES].add(lake_asset(dataset), extra={"rows_merged": merged})
            print(f"lake dataset {dataset} updated: {merged:,} rows merged")
        if not updated:
            raise AirflowSkipException("files were read but no lake table changed")
        return updated

    @task(trigger_rule=TriggerRule.ALL_DONE, on_failure_callback=None)
    def check_datasets() -> None:
        """Fail the run if a dataset's task failed (that task already alerted), after the others went in."""
        from airflow.sdk.exceptions import AirflowFailException

        failed = failed_tasks(get_current_context())
        if failed:
            raise AirflowFailException(f"{', '.join(failed)} failed (see their logs); the other datasets went in")

    ingested = [ingest_dataset.override(task_id=f"ingest_{name}")(name) for name in load_contracts()]
    wait >> ingested >> announce_updates() >> check_datasets()


ingest_landing()
