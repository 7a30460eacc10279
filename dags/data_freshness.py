"""data_freshness: every hour, alert when data stops arriving or a build failed.

A source (dataset) or a region that has sent nothing for longer than its threshold
(SAFELAKE_FRESHNESS_HOURS, SAFELAKE_REGION_FRESHNESS_HOURS), and a failed last warehouse build, are
logged as warnings on every check and e-mailed to SAFELAKE_ONCALL_EMAIL (SMTP, or the outbox folder
when no SMTP host is set), each at most once per SAFELAKE_ALERT_REPEAT_HOURS.
"""

from __future__ import annotations

from airflow.sdk import dag, task
from safelake_airflow import default_args, start_date

from safelake.settings import get_settings

settings = get_settings()


@dag(
    schedule="15 * * * *",
    start_date=start_date(settings),
    catchup=False,
    max_active_runs=1,
    tags=["safelake", "monitoring"],
    default_args=default_args(settings),
    doc_md=__doc__,
)
def data_freshness() -> None:
    @task
    def check_freshness() -> int:
        import logging

        from ops.freshness import check, notify_oncall

        s = get_settings()
        alerts = check(s)
        for alert in alerts:
            logging.getLogger("ops.freshness").warning("ALERT %s", alert.message)
        where = notify_oncall(s, alerts)
        sent = f"e-mailed to {s.oncall_email} via {where}" if where else "none new to e-mail"
        print(f"{len(alerts)} alert(s); {sent}")
        return len(alerts)

    check_freshness()


data_freshness()
