# Everything runs from the project's own virtualenv; `make test` and `make demo` create it when missing.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-stamp

.PHONY: install lock lint test unit integration soak demo bench bench-points clean

# Poetry, pinned in tools/poetry-requirements.txt, lives in its own virtualenv: `poetry sync` makes
# .venv hold exactly poetry.lock (dev and pipeline extras included, the project itself editable).
POETRY_VENV := .tools/poetry
POETRY := $(POETRY_VENV)/bin/poetry
# Serial install: dbt-core, dbt-adapters and the adapters each ship `dbt/__init__.py` (and
# `dbt/adapters/__init__.py`); installed in parallel, their writes interleaved once and left a file
# that does not parse (a CI run on a fresh machine, 2026-12-01).
POETRY_ENV := POETRY_VIRTUALENVS_CREATE=false POETRY_NO_INTERACTION=1 POETRY_INSTALLER_PARALLEL=false \
	VIRTUAL_ENV=$(abspath $(VENV))

$(POETRY): tools/poetry-requirements.txt
	$(PYTHON) -m venv $(POETRY_VENV)
	$(POETRY_VENV)/bin/pip install --quiet --disable-pip-version-check -r tools/poetry-requirements.txt
	touch $(POETRY)

$(STAMP): pyproject.toml poetry.lock $(POETRY)
	$(PYTHON) -m venv $(VENV)
	$(POETRY_ENV) $(POETRY) sync --all-extras --compile
	touch $(STAMP)

install: $(STAMP)

# Re-resolve poetry.lock after changing the dependencies in pyproject.toml (then run `make install`).
lock: $(POETRY)
	$(POETRY) lock

# Style and static checks, strict types on the connector (mypy), its layers importing one way
# (import-linter; both configured in pyproject.toml), a static security scan of the connector
# (bandit) and a dependency vulnerability audit (pip-audit; says so plainly when offline).
lint: install
	$(BIN)/ruff check source_confluence confluence_double pipeline unit_tests integration_tests benchmarks scripts
	$(BIN)/mypy
	$(BIN)/lint-imports
	$(BIN)/hadolint Dockerfile
	$(BIN)/bandit --quiet --configfile pyproject.toml --recursive source_confluence
	$(BIN)/python scripts/audit_dependencies.py

unit: install
	$(BIN)/pytest unit_tests

integration: install
	$(BIN)/pytest integration_tests

test: lint
	$(BIN)/pytest

# The adversarial models of Cloud and Data Center (unit_tests/adversary) at 20 times the examples
# `make test` runs: about 3,000 generated sync histories per flavour (roughly 10 minutes on 2 cores).
soak: install
	ADVERSARY_SOAK=1 $(BIN)/pytest -o timeout=1800 unit_tests/test_adversary_cloud.py unit_tests/test_adversary_datacenter.py \
		unit_tests/test_walk_ties.py unit_tests/test_datacenter_stale_hits.py

demo: install
	$(BIN)/python -m pipeline demo

# The sync benchmark behind benchmarks/RESULTS.md: the connector against the Confluence double at 10%
# and 100% of a 100,000-page site, 0 ms and 100 ms per request, with a py-spy profile and the shared
# rate-limit check (about 25 minutes on 2 cores), then the side-by-side with the official manifest
# (benchmarks/bench_side_by_side.py, about 10 minutes). Never part of `make test`.
bench: install
	$(BIN)/python -m benchmarks.bench_sync --profile --rate-limit-check --versions
	$(BIN)/python -m benchmarks.bench_side_by_side
	$(MAKE) bench-points

# Points as an OAuth app pays them (issue 16): the four syncs at 10% and 100%, 0 ms, through the
# double's OAuth gateway (benchmarks/metered.py); results in benchmarks/results/points/oauth/. Then
# what one round of every reconciliation costs at 10% (benchmarks/results/points/reconciliation/).
bench-points: install
	$(BIN)/python -m benchmarks.bench_sync --auth oauth2.0 --scales 0.1 1 --latencies 0 --runs 4 \
		--out benchmarks/results/points/oauth
	$(BIN)/python -m benchmarks.bench_reconciliation --scale 0.1

clean:
	rm -rf $(VENV) .tools .pytest_cache .ruff_cache .demo
