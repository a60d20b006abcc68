# billing-portal: every command a contributor needs. A fresh clone needs nothing else.
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-$(shell cat requirements/dev.lock pyproject.toml | cksum | cut -d' ' -f1)

.PHONY: run test test-unit test-integration test-e2e lint format bench lock clean install browser

install: $(STAMP)

$(STAMP): requirements/dev.lock pyproject.toml
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	@$(BIN)/python -m pip install -q --disable-pip-version-check uv
	@$(BIN)/uv pip sync -q --compile-bytecode --python $(BIN)/python requirements/dev.lock
	@$(BIN)/uv pip install -q --python $(BIN)/python --no-deps -e .
	@rm -f $(VENV)/.installed-*; touch $@

## make run: the demo on embedded defaults (or real Stripe + Postgres when configured)
run: install
	@$(BIN)/billing-portal demo

## make test: everything CI runs (unit, integration against Postgres, browser)
test: install browser
	@$(BIN)/python -m pytest $(PYTEST_ARGS)

## The browser tests drive Debian's Chromium (Playwright's own download is not used).
CHROMIUM ?= $(or $(PORTAL_TEST_CHROMIUM),$(shell command -v chromium || command -v chromium-browser))
browser:
	@if [ -z "$(CHROMIUM)" ]; then \
	  if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null; then \
	    echo "installing Chromium from Debian for the browser tests"; \
	    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null; \
	  else \
	    echo "The browser tests need Chromium: install it (Debian: sudo apt-get install chromium)" \
	         "or set PORTAL_TEST_CHROMIUM=/path/to/chrome"; exit 1; \
	  fi; \
	fi

test-e2e: install browser
	@$(BIN)/python -m pytest tests/e2e $(PYTEST_ARGS)

test-unit: install
	@$(BIN)/python -m pytest tests/unit $(PYTEST_ARGS)

test-integration: install
	@$(BIN)/python -m pytest tests/integration $(PYTEST_ARGS)

lint: install
	@$(BIN)/ruff check src tests benchmarks
	@$(BIN)/ruff format --check src tests benchmarks
	@$(BIN)/mypy
	@$(BIN)/lint-imports

format: install
	@$(BIN)/ruff format src tests benchmarks
	@$(BIN)/ruff check --fix src tests benchmarks

## make bench: the load scenarios of docs/PERFORMANCE.md beside their baselines (~15 min;
## BENCH_QUICK=1 for a short trial). Needs PostgreSQL on 127.0.0.1:5432 (user postgres),
## wrk and pgbench (installed from Debian when missing, like Chromium for the browser tests).
bench: install
	@for tool in wrk:wrk pgbench:postgresql-client; do \
	  command -v $${tool%%:*} >/dev/null && continue; \
	  if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null; then \
	    echo "installing $${tool#*:} from Debian for the benchmarks"; \
	    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $${tool#*:} >/dev/null; \
	  else \
	    echo "make bench needs $${tool%%:*}: install it (Debian: sudo apt-get install $${tool#*:})"; exit 1; \
	  fi; \
	done
	@# as a deployment would: compiled once, not at every process start (PYTHONDONTWRITEBYTECODE)
	@$(BIN)/python -m compileall -q src benchmarks >/dev/null
	@$(BIN)/python -m benchmarks

## make lock: recompile the pinned dependency set after editing pyproject.toml
lock:
	@$(PYTHON) -m pip install -q uv && $(PYTHON) -m uv pip compile pyproject.toml --extra dev --python-version 3.11 -o requirements/dev.lock

clean:
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache
