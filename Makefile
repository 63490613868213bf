# Conventional targets. Everything runs from the virtualenv in .venv.
PYTHON ?= python3
VENV   ?= .venv
BIN    := $(VENV)/bin
PG_URL ?= postgres://postgres@127.0.0.1:5432/tracker
# The suite runs on PostgreSQL (as CI does); `make test-sqlite` runs it on SQLite.
TEST_DATABASE_URL ?= $(PG_URL)
PYTEST_ARGS ?=

.PHONY: help install run test test-fast test-sqlite lint format typecheck bench fuzz load migrate sandbox secrets clean

help:
	@echo "make install     create .venv and install everything (pinned)"
	@echo "make run         run the whole system on SQLite + the Audible sandbox, with a demo"
	@echo "make test        run the test suite (PostgreSQL at $(PG_URL))"
	@echo "make test-fast   unit + API tests only, in parallel (no processes, browser, demo, fuzzing)"
	@echo "make test-sqlite run the test suite on SQLite"
	@echo "make lint        ruff check + ruff format --check"
	@echo "make format      ruff format + ruff check --fix"
	@echo "make typecheck   mypy"
	@echo "make bench       speed and memory benchmarks (bench/), with baselines"
	@echo "make fuzz        schemathesis fuzzing of both APIs at length, with counts"
	@echo "make load        load and crash-safety runs on loopback, with figures"

$(BIN)/python:
	$(PYTHON) -c 'import sys; assert sys.version_info >= (3, 11), "Python 3.11+ is required"'
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

$(VENV)/.installed: $(BIN)/python pyproject.toml requirements.lock
	$(BIN)/python -m pip install --quiet -c requirements.lock -e '.[dev]'
	touch $@

install: $(VENV)/.installed

run: install
	$(BIN)/python -m tracker_api.demo

test: install
	DATABASE_URL=$(TEST_DATABASE_URL) $(BIN)/python -m pytest $(PYTEST_ARGS)

# The fast lane: no processes, browser, demo, deployments, hardening or fuzzing (the markers
# are set automatically: tests/support/live.py), two xdist workers, each on its own test
# database (test_<name>_gw0, _gw1), kept between runs (--reuse-db: new migrations are still
# applied; PYTEST_ARGS=--create-db rebuilds them after editing one); property tests try a
# fifth of their fixed cases (the Hypothesis profile "fast": tests/support/examples.py); the
# byte code of the project and pytest's rewritten test modules are kept in __pycache__ even
# where PYTHONDONTWRITEBYTECODE is set (as on CI), so a worker does not compile them again.
test-fast: install
	PYTHONDONTWRITEBYTECODE= HYPOTHESIS_PROFILE=$${HYPOTHESIS_PROFILE:-fast} DATABASE_URL=$(TEST_DATABASE_URL) $(BIN)/python -m pytest -m "not live and not slow" -n 2 --reuse-db $(PYTEST_ARGS)

test-sqlite: install
	DATABASE_URL=sqlite:///:memory: $(BIN)/python -m pytest $(PYTEST_ARGS)

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

format: install
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

typecheck: install
	$(BIN)/mypy audible_contract audible_gateway tracker_api bench

# Speed and memory figures, each against a baseline measured in the same run.
BENCH_DATABASE_URL ?= postgres://postgres@127.0.0.1:5432/tracker_bench
bench: install
	$(BIN)/python bench/gateway_library.py
	$(BIN)/python bench/matching.py
	DATABASE_URL=$(BENCH_DATABASE_URL) $(BIN)/python bench/sync.py

# "Prove it holds": fuzzing of both APIs at length, load on loopback, and a crash mid-sync.
# Each prints its figures (examples, 5xx, leaks; users synced, throughput, p50/p99; RSS).
fuzz: install
	$(BIN)/python bench/gateway_fuzz.py
	DATABASE_URL=$(BENCH_DATABASE_URL)_fuzz $(BIN)/python bench/tracker_fuzz.py

load: install
	DATABASE_URL=$(BENCH_DATABASE_URL)_load $(BIN)/python bench/load.py
	DATABASE_URL=$(BENCH_DATABASE_URL)_crash $(BIN)/python bench/crash.py

migrate: install
	$(BIN)/python manage.py migrate

sandbox: install
	$(BIN)/python -m audible_gateway.sandbox --library audible_gateway/sandbox/data/sample_library.json --port 8765

clean:
	rm -rf $(VENV) var .pytest_cache .ruff_cache .mypy_cache

secrets:
	@$(PYTHON) deploy/generate_secrets.py
