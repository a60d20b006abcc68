# billing-portal: every command a contributor needs. A fresh clone needs nothing else.
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-$(shell cat requirements/dev.lock pyproject.toml | cksum | cut -d' ' -f1)

.PHONY: run test test-unit test-integration test-e2e lint format bench lock clean install

install: $(STAMP)

$(STAMP): requirements/dev.lock pyproject.toml
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	@$(BIN)/python -m pip install -q --disable-pip-version-check uv
	@$(BIN)/uv pip sync -q --python $(BIN)/python requirements/dev.lock
	@$(BIN)/uv pip install -q --python $(BIN)/python --no-deps -e .
	@rm -f $(VENV)/.installed-*; touch $@

## make run: the demo on embedded defaults (or real Stripe + Postgres when configured)
run: install
	@$(BIN)/billing-portal demo

## make test: everything CI runs (unit, integration against Postgres, browser)
test: install
	@$(BIN)/python -m pytest $(PYTEST_ARGS)

test-unit: install
	@$(BIN)/python -m pytest tests/unit $(PYTEST_ARGS)

test-integration: install
	@$(BIN)/python -m pytest tests/integration $(PYTEST_ARGS)

lint: install
	@$(BIN)/ruff check src tests
	@$(BIN)/ruff format --check src tests
	@$(BIN)/mypy
	@$(BIN)/lint-imports

format: install
	@$(BIN)/ruff format src tests
	@$(BIN)/ruff check --fix src tests

bench: install
	@$(BIN)/python -m benchmarks

## make lock: recompile the pinned dependency set after editing pyproject.toml
lock:
	@$(PYTHON) -m pip install -q uv && $(PYTHON) -m uv pip compile pyproject.toml --extra dev --python-version 3.11 -o requirements/dev.lock

clean:
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache
