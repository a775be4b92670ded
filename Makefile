# Everything runs from the project's own virtualenv; `make test` and `make demo` create it when missing.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-stamp

.PHONY: install lint test unit integration demo bench clean

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --disable-pip-version-check --upgrade pip
	$(BIN)/pip install --quiet --disable-pip-version-check -e ".[dev,pipeline]"
	touch $(STAMP)

install: $(STAMP)

# Style and static checks, a static security scan of the connector (bandit, settings in
# pyproject.toml) and a dependency vulnerability audit (pip-audit; says so plainly when offline).
lint: install
	$(BIN)/ruff check source_confluence pipeline unit_tests integration_tests benchmarks scripts
	$(BIN)/hadolint Dockerfile
	$(BIN)/bandit --quiet --configfile pyproject.toml --recursive source_confluence
	$(BIN)/python scripts/audit_dependencies.py

unit: install
	$(BIN)/pytest unit_tests

integration: install
	$(BIN)/pytest integration_tests

test: lint
	$(BIN)/pytest

demo: install
	$(BIN)/python -m pipeline demo

# The sync benchmark behind benchmarks/RESULTS.md: the connector against the Confluence double at 10%
# and 100% of a 100,000-page site, 0 ms and 100 ms per request, with a py-spy profile and the shared
# rate-limit check (about 25 minutes on 2 cores). Never part of `make test`.
bench: install
	$(BIN)/python -m benchmarks.bench_sync --profile --rate-limit-check

clean:
	rm -rf $(VENV) .pytest_cache .ruff_cache .demo
