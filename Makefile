# Muster. `make demo` builds and shows the demo registry; `make test` installs everything the
# tests need and runs them all (SQLite and a throwaway PostgreSQL).
PY ?= python3
VENV := .venv
STAMP := $(VENV)/.installed

# `make screenshots` refreshes docs/screenshots/ (each main page, Spanish and English).
.PHONY: screenshots venv system-deps test test-unit test-integration test-e2e lint typecheck check bench demo clean

CATALOGS := $(wildcard src/muster/web/locale/*/LC_MESSAGES/*.po)

# Installing compiles the web interface's catalogs (hatch_build.py); its front-end files come
# from the npm registry first (scripts/web-assets).
$(STAMP): pyproject.toml hatch_build.py assets/package-lock.json $(CATALOGS)
	scripts/web-assets
	test -x $(VENV)/bin/python || $(PY) -m venv $(VENV)
	$(VENV)/bin/pip install -q --upgrade pip
	$(VENV)/bin/pip install -q -e '.[test]'
	touch $(STAMP)

venv: $(STAMP)

system-deps:
	scripts/install-system-deps

test: system-deps venv
	scripts/run-tests

test-unit: venv
	$(VENV)/bin/python -m pytest tests/unit

test-integration: system-deps venv
	scripts/run-tests tests/integration

test-e2e: system-deps venv
	scripts/run-tests tests/e2e

lint: venv
	$(VENV)/bin/ruff check src tests bench
	$(VENV)/bin/ruff format --check src tests bench

typecheck: venv
	$(VENV)/bin/mypy

check: lint typecheck test

bench: venv
	$(VENV)/bin/python -m bench.registry

demo: venv
	$(VENV)/bin/muster demo

clean:
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache .hypothesis build dist

screenshots: system-deps venv
	$(VENV)/bin/python scripts/screenshots
