# SafeLake's front door. `make up` brings the platform up on demo data; `make test` runs every test.
SHELL := /bin/bash
VENV := .venv
BIN := $(VENV)/bin
# One home per country: `SAFELAKE_GEOGRAPHY=kz make up` brings up Kazakhstan's instance in var-kz/ (its own
# lake, warehouse, demo data and Airflow); kg's stays in var/.
GEOGRAPHY := $(or $(SAFELAKE_GEOGRAPHY),kg)
export SAFELAKE_HOME ?= $(CURDIR)/var$(if $(filter-out kg,$(GEOGRAPHY)),-$(GEOGRAPHY))

# Dashboards hook: `make up` starts this Streamlit app once it exists (the dashboards come later).
DASHBOARD_APP ?= dashboards/app.py
DASHBOARD_PORT ?= 8501

.PHONY: setup up down dashboards-up test lint bench bench-ingest bench-build bench-email bench-dashboards bench-stream bench-production docs screenshots demo clean

# Install only; idempotent and quick when nothing changed (the stamp tracks pyproject.toml).
# uv installs the same versions as pip, several times faster: on a fresh machine without caches, under the
# same load, 1 min 28 s against pip's 12 min 15 s (pip resolves and compiles serially; uv downloads in parallel).
# The services' processes start faster with compiled bytecode; the test tools (.[dev]) are left to compile as they
# are imported (README, "Airflow").
UV_VERSION := 0.13.8
setup: $(VENV)/.setup-stamp
$(VENV)/.setup-stamp: pyproject.toml
	test -x $(BIN)/python || python3 -m venv $(VENV)
	$(BIN)/pip install --quiet uv==$(UV_VERSION)
	$(BIN)/uv pip install --quiet --compile-bytecode --python $(BIN)/python -e .
	$(BIN)/uv pip install --quiet --python $(BIN)/python -e '.[dev]'
	touch $@

# init → dbt's parse of the project in the background (PIDs in SAFELAKE_HOME/run/) → demo data (the year up to
# yesterday, unless there is data) → ingest → Airflow starts in the background, beside the first build (while no
# build is published; its dbt parses only what changed since) and the dashboards → Airflow ready, DAGs unpaused →
# the live stream → URLs. Safe to rerun. Each step is placed where a core is free (README, "Airflow"). The DAGs
# are unpaused and the stream started after the first build: an unpaused DAG runs its latest interval at once
# (maintenance among them), and the stream's consumer takes a third of a core (beside it the first build took 134 s).
up: setup
	$(BIN)/safelake init
	$(BIN)/safelake users demo
	@if [ ! -L $(SAFELAKE_HOME)/warehouse/current.duckdb ]; then bin/bg start dbt-parse -- $(BIN)/safelake build --parse-only; fi
	@if [ -z "$$(find $(SAFELAKE_HOME)/landing $(SAFELAKE_HOME)/archive -type f -not -name '.*' 2>/dev/null | head -1)" ]; then \
		$(BIN)/python -m tools.demo --days 365; fi
	@$(BIN)/safelake ingest || echo "make up: the files refused above stay in landing/; going on with the rest"
	bin/airflow-up --start
	@bin/bg wait dbt-parse
	@if [ ! -L $(SAFELAKE_HOME)/warehouse/current.duckdb ]; then bin/bg start first-build -- $(BIN)/safelake build; fi
	@$(MAKE) --no-print-directory dashboards-up
	@if bin/bg status first-build; then echo "waiting for the first warehouse build (log $(SAFELAKE_HOME)/run/first-build.log)"; fi
	@bin/bg wait first-build; if [ ! -L $(SAFELAKE_HOME)/warehouse/current.duckdb ]; then \
		tail -5 $(SAFELAKE_HOME)/run/first-build.log >&2; echo "make up: no warehouse is published; the first build's log: $(SAFELAKE_HOME)/run/first-build.log" >&2; exit 1; fi
	bin/airflow-up
	bin/stream-up
	$(BIN)/safelake status
	@eval "$$($(BIN)/python -m ops.airflow_env)"; \
	echo; echo "SafeLake is up:"; \
	echo "  Airflow     $$AIRFLOW__API__BASE_URL   ($$($(BIN)/python -m ops.airflow_env --login))"; \
	if bin/bg status dashboards; then echo "  Dashboards  http://127.0.0.1:$(DASHBOARD_PORT)"; \
	else echo "  Dashboards  not yet ($(DASHBOARD_APP) does not exist)"; fi; \
	echo "  Warehouse   $(SAFELAKE_HOME)/warehouse/current.duckdb (read-only for readers)"; \
	echo "  Stream      $${SAFELAKE_NATS_URL:-nats://127.0.0.1:4222} (consumer log $(SAFELAKE_HOME)/run/stream.log)"; \
	echo "  Stop with   make down"

# Stops what `make up` started, by the PIDs in SAFELAKE_HOME/run/.
down:
	bin/bg stop dashboards
	bin/bg stop dbt-parse
	bin/bg stop first-build
	bin/stream-down
	bin/airflow-down

dashboards-up:
	@if [ -f "$(DASHBOARD_APP)" ]; then \
		bin/bg start dashboards -- $(BIN)/streamlit run $(DASHBOARD_APP) --server.address 127.0.0.1 \
			--server.port $(DASHBOARD_PORT) --server.headless true --browser.gatherUsageStats false; \
	else echo "dashboards: $(DASHBOARD_APP) does not exist yet; skipped"; fi

test: setup
	$(BIN)/ruff check .
	$(BIN)/mypy
	$(BIN)/python -m pytest -q

lint: setup
	$(BIN)/ruff check . && $(BIN)/ruff format --check .

# Every benchmark; each prints JSON lines and writes docs/bench-<name>.json (figures in docs/benchmarks.md).
# bench-ingest makes its own year of national-scale data, bench-build one and two years; bench-dashboards and
# bench-email read SAFELAKE_HOME's published warehouse (after `make up`).
bench: bench-ingest bench-build bench-dashboards bench-email bench-stream

bench-ingest: setup
	$(BIN)/python -m tools.bench_ingest

# p50/p95 server time of every dashboard page over 20 AppTest renders (docs/bench-dashboards.json, docs/benchmarks.md).
bench-dashboards: setup
	$(BIN)/python -m tools.bench_dashboards

# The live path against a bare nats-py → DuckDB floor: sustained msgs/s, CPU per message, and publish → visible
# through the access layer at national load, p50/p95 (docs/bench-stream.json, docs/benchmarks.md).
bench-stream: setup
	$(BIN)/python -m tools.bench_stream

# Ingest and full build of the same exports on the embedded lake and on PostgreSQL + S3 (servers started here
# as processes, tools/services.py) → docs/bench-production.json. BENCH_ARGS="--days 120 --cameras 5000" for less.
bench-production: setup
	$(BIN)/python -m tools.bench_production $(BENCH_ARGS)

# Full, incremental (one new day) and no-new-data builds on one and on two years of national scale, side by side.
bench-build: setup
	$(BIN)/python -m tools.bench_build

# Full-page ru and en screenshots of the dashboards and the daily e-mail from SAFELAKE_HOME's published warehouse
# (after `make up`) into docs/screenshots/ (Debian chromium; the tests never write there).
screenshots: setup
	$(BIN)/python -m tools.screenshots

# The dbt docs site of the published warehouse, one static page under SAFELAKE_HOME/warehouse/docs/.
docs: setup
	$(BIN)/python -m warehouse.docs

# 100 personalised KPI briefings rendered from SAFELAKE_HOME's published warehouse → docs/bench-email.json
bench-email: setup
	$(BIN)/python -m tools.bench_email

clean:
	rm -rf var .pytest_cache .ruff_cache
