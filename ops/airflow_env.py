"""The embedded Airflow's configuration, derived from the settings: one place, used by `make up`
(bin/airflow-up) and by the tests that run the DAGs in an isolated AIRFLOW_HOME.

`python -m ops.airflow_env` prints `export NAME='value'` lines for a shell to eval;
`... --login` creates the admin password once and prints the login; `... --wait SECONDS` waits until
the API answers, the scheduler is healthy and every DAG file is parsed (and fails on an import error);
`... --unpause DAG...` does that through the API (an `airflow` command costs seconds of imports);
`... --port-taken` exits 0 if something answers there; `... --local-settings` writes
AIRFLOW_HOME/config/airflow_local_settings.py (see LOCAL_SETTINGS).
"""

from __future__ import annotations

import json
import secrets
import shlex
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

from safelake.settings import Settings, get_settings

REPO = Path(__file__).resolve().parents[1]
ADMIN = "admin"


# Airflow imports airflow_local_settings (AIRFLOW_HOME/config is on its path) in every process. With the
# LocalExecutor on Linux, task processes are forked from the scheduler's workers: importing dbt once in
# the scheduler saves the build task ~3 s of imports. Other Airflow processes (API server, CLI) do not
# pay for it.
LOCAL_SETTINGS = '''"""Written by `python -m ops.airflow_env --local-settings` (bin/airflow-up); do not edit."""

import sys

if sys.argv[1:2] == ["scheduler"]:
    import dbt.cli.main  # noqa: F401  (preloaded for the forked task processes)
'''


def write_local_settings(settings: Settings) -> Path:
    path = settings.airflow_home / "config" / "airflow_local_settings.py"
    path.parent.mkdir(parents=True, exist_ok=True)
    if not path.exists() or path.read_text() != LOCAL_SETTINGS:
        path.write_text(LOCAL_SETTINGS)
    return path


def passwords_file(settings: Settings) -> Path:
    return settings.airflow_home / "simple_auth_manager_passwords.json.generated"


def airflow_env(settings: Settings, dags_folder: Path = REPO / "dags") -> dict[str, str]:
    """Environment for every Airflow process: SQLite metadata, LocalExecutor, a small parallelism, the
    API on SAFELAKE_AIRFLOW_HOST:PORT, examples off (must be set before the first `airflow db migrate`)."""
    home = settings.airflow_home
    url = api_url(settings)
    return {
        "SAFELAKE_HOME": str(settings.home),
        "AIRFLOW_HOME": str(home),
        "AIRFLOW__CORE__DAGS_FOLDER": str(dags_folder),
        "AIRFLOW__CORE__LOAD_EXAMPLES": "False",
        "AIRFLOW__CORE__EXECUTOR": "LocalExecutor",
        "AIRFLOW__CORE__PARALLELISM": str(settings.airflow_parallelism),
        "AIRFLOW__CORE__DEFAULT_TIMEZONE": settings.timezone,
        "AIRFLOW__DATABASE__SQL_ALCHEMY_CONN": f"sqlite:///{home / 'airflow.db'}",
        "AIRFLOW__API__HOST": settings.airflow_host,
        "AIRFLOW__API__PORT": str(settings.airflow_port),
        "AIRFLOW__API__BASE_URL": url,
        "AIRFLOW__CORE__EXECUTION_API_SERVER_URL": f"{url}/execution/",
        "AIRFLOW__CORE__SIMPLE_AUTH_MANAGER_USERS": f"{ADMIN}:admin",
        "AIRFLOW__CORE__SIMPLE_AUTH_MANAGER_PASSWORDS_FILE": str(passwords_file(settings)),
        "AIRFLOW__DAG_PROCESSOR__REFRESH_INTERVAL": "60",
        "DO_NOT_TRACK": "1",
    }


def ensure_login(settings: Settings) -> tuple[str, str, bool]:
    """(user, password, created): the admin password is generated once and kept in the simple auth
    manager's passwords file (mode 600) under AIRFLOW_HOME."""
    path = passwords_file(settings)
    passwords = json.loads(path.read_text()) if path.exists() and path.read_text().strip() else {}
    if ADMIN in passwords:
        return ADMIN, passwords[ADMIN], False
    passwords[ADMIN] = secrets.token_urlsafe(12)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.touch(mode=0o600)
    path.write_text(json.dumps(passwords) + "\n")
    path.chmod(0o600)
    return ADMIN, passwords[ADMIN], True


def api_url(settings: Settings) -> str:
    return f"http://{settings.airflow_host}:{settings.airflow_port}"


def health(settings: Settings) -> dict | None:
    """The API's health report, or None if nothing answers."""
    try:
        with urllib.request.urlopen(f"{api_url(settings)}/api/v2/monitor/health", timeout=3) as response:
            return json.load(response)
    except (OSError, ValueError):
        return None


def wait_healthy(settings: Settings, timeout: float) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        report = health(settings) or {}
        if report.get("scheduler", {}).get("status") == "healthy":
            return True
        time.sleep(2)
    return False


def api(settings: Settings, method: str, path: str, body: dict | None = None) -> dict:
    """One call of Airflow's REST API (/api/v2/...) as the admin user."""
    user, password, _ = ensure_login(settings)
    request = urllib.request.Request(
        f"{api_url(settings)}/auth/token",
        data=json.dumps({"username": user, "password": password}).encode(),
        headers={"Content-Type": "application/json"},
    )
    with urllib.request.urlopen(request, timeout=30) as response:
        token = json.load(response)["access_token"]
    request = urllib.request.Request(
        f"{api_url(settings)}/api/v2/{path}",
        method=method,
        data=None if body is None else json.dumps(body).encode(),
        headers={"Authorization": f"Bearer {token}", "Content-Type": "application/json"},
    )
    with urllib.request.urlopen(request, timeout=30) as response:
        return json.load(response)


def wait_parsed(settings: Settings, dag_files: list[Path], timeout: float) -> str | None:
    """Wait until every DAG file is parsed: None, or what is wrong (an import error, or still not parsed)."""
    deadline = time.monotonic() + timeout
    while True:
        errors = api(settings, "GET", "importErrors")["import_errors"]
        if errors:
            return "DAG import errors: " + "; ".join(f"{e['filename']}: {e['stack_trace']}" for e in errors)
        parsed = {Path(d["fileloc"]).name for d in api(settings, "GET", "dags?limit=100")["dags"]}
        missing = sorted({f.name for f in dag_files} - parsed)
        if not missing:
            return None
        if time.monotonic() > deadline:
            return f"DAG files not parsed after {timeout:.0f} s: {', '.join(missing)}"
        time.sleep(2)


def unpause(settings: Settings, dag_ids: list[str]) -> None:
    for dag_id in dag_ids:
        api(settings, "PATCH", f"dags/{dag_id}", {"is_paused": False})


def dag_files(folder: Path = REPO / "dags") -> list[Path]:
    """The files that define a DAG (.airflowignore lists the shared module that does not)."""
    ignored = set((folder / ".airflowignore").read_text().split())
    return sorted(p for p in folder.glob("*.py") if p.name not in ignored)


def port_taken(settings: Settings) -> bool:
    try:
        urllib.request.urlopen(api_url(settings), timeout=2).close()
    except urllib.error.HTTPError:
        return True
    except OSError:
        return False
    return True


def main(argv: list[str]) -> None:
    settings = get_settings()
    if "--wait" in argv:
        timeout = float(argv[argv.index("--wait") + 1])
        start = time.monotonic()
        if not wait_healthy(settings, timeout):
            print(f"Airflow is not healthy at {api_url(settings)} after {timeout:.0f} s", file=sys.stderr)
            raise SystemExit(1)
        problem = wait_parsed(settings, dag_files(), timeout - (time.monotonic() - start))
        if problem:
            print(problem, file=sys.stderr)
            raise SystemExit(1)
        return
    if "--unpause" in argv:
        unpause(settings, argv[argv.index("--unpause") + 1 :])
        return
    if "--local-settings" in argv:
        write_local_settings(settings)
        return
    if "--port-taken" in argv:
        raise SystemExit(0 if port_taken(settings) else 1)
    if "--login" in argv:
        user, password, created = ensure_login(settings)
        url = api_url(settings)
        if created:
            print(f"Airflow login (shown once): {user} / {password}  at {url}")
        else:
            print(f"Airflow login: {user}, password in {passwords_file(settings)}")
        return
    for name, value in airflow_env(settings).items():
        print(f"export {name}={shlex.quote(value)}")


if __name__ == "__main__":
    main(sys.argv[1:])
