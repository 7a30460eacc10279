"""kpi_briefings: the daily and weekly KPI briefings by e-mail, each recipient's region and language.

Runs at the briefings' slots (briefings/recipients.example.yaml or SAFELAKE_RECIPIENTS_FILE: daily 08:00,
weekly Monday 08:00, in SAFELAKE_TIMEZONE) and whenever a new warehouse is published (the
`safelake://warehouse` Asset), so a briefing held back by stale data goes out once fresh data arrives.
check_warehouse gates the run: a warehouse older than SAFELAKE_WAREHOUSE_STALE_HOURS gets the recipients
a short "data delayed" note instead of stale numbers. A ledger under SAFELAKE_HOME makes every try
send each recipient's e-mail at most once; a failed recipient is logged and retried, the others go out.
SMTP from the SAFELAKE_SMTP_* settings, or the Airflow connection SAFELAKE_SMTP_CONN_ID; no SMTP host =
.eml files in SAFELAKE_HOME/outbox/.
"""

from __future__ import annotations

from airflow.sdk import AssetOrTimeSchedule, dag, get_current_context, task
from airflow.timetables.trigger import MultipleCronTriggerTimetable
from safelake_airflow import WAREHOUSE, default_args, start_date

from briefings.config import load_schedules
from safelake.settings import get_settings

settings = get_settings()
CRONS = sorted({schedule.cron for schedule in load_schedules(settings).values()})


def _settings_and_now() -> tuple:
    import pendulum

    from safelake import notify

    s = get_settings()
    if s.smtp_conn_id:
        from airflow.sdk import Connection

        conn = Connection.get(s.smtp_conn_id)
        security = conn.extra_dejson.get("security")
        s = notify.with_smtp_connection(s, conn.host, conn.port, conn.login, conn.password, security)
    # the run's own moment, so a retry later in the day still belongs to the same briefing period
    run_after = get_current_context()["dag_run"].run_after
    return s, pendulum.instance(run_after) if run_after else pendulum.now("UTC")


def _send(delayed: bool) -> int:
    from briefings.deliver import deliver_due

    s, now = _settings_and_now()
    reports = deliver_due(s, now, delayed=delayed)
    for report in reports:
        print(report.summary())
        for address, error in report.failed:
            print(f"FAILED {address}: {error}")
    failed = sum(len(r.failed) for r in reports)
    if failed:  # the task fails (and retries) only after every other recipient got theirs
        raise RuntimeError(f"{failed} recipient(s) failed; see the lines above")
    return sum(len(r.sent) for r in reports)


@dag(
    schedule=AssetOrTimeSchedule(
        timetable=MultipleCronTriggerTimetable(*CRONS, timezone=settings.timezone), assets=WAREHOUSE
    ),
    start_date=start_date(settings),
    catchup=False,
    max_active_runs=1,
    tags=["safelake", "briefings"],
    default_args=default_args(settings),
    doc_md=__doc__,
)
def kpi_briefings() -> None:
    @task.branch
    def check_warehouse() -> str:
        from briefings.deliver import warehouse_state

        s, now = _settings_and_now()
        state = warehouse_state(s, now)
        print(f"warehouse: {state.describe()}")
        return "send_briefings" if state.fresh else "send_delayed_notes"

    @task
    def send_briefings() -> int:
        return _send(delayed=False)

    @task
    def send_delayed_notes() -> int:
        return _send(delayed=True)

    check_warehouse() >> [send_briefings(), send_delayed_notes()]


kpi_briefings()
