# SafeLake's front door. `make up` brings the platform up on demo data; `make test` runs every test.
SHELL := /bin/bash
VENV := .venv
BIN := $(VENV)/bin
export SAFELAKE_HOME ?= $(CURDIR)/var

.PHONY: setup up test lint bench bench-ingest demo clean

# Install only; idempotent and quick when nothing changed (the stamp tracks pyproject.toml).
setup: $(VENV)/.setup-stamp
$(VENV)/.setup-stamp: pyproject.toml
	test -x $(BIN)/python || python3 -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[dev]'
	touch $@

up: setup
	$(BIN)/safelake init
	@if [ -z "$$(find $(SAFELAKE_HOME)/landing $(SAFELAKE_HOME)/archive -type f 2>/dev/null | head -1)" ]; then \
		$(BIN)/safelake demo-data --start $$(date -d '-364 days' +%F) --days 365; fi
	$(BIN)/safelake ingest
	$(BIN)/safelake status

test: setup
	$(BIN)/ruff check .
	$(BIN)/python -m pytest -q

lint: setup
	$(BIN)/ruff check . && $(BIN)/ruff format --check .

bench: bench-ingest

bench-ingest: setup
	$(BIN)/python -m ingestion.bench

clean:
	rm -rf var .pytest_cache .ruff_cache
