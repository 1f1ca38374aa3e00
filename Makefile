# The menu. `make run` and `make test` work on a fresh machine: each creates .venv and installs
# what it needs first (again only when pyproject.toml changes).

PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
INSTALLED := $(VENV)/.installed

.PHONY: run test test-fast bench lint format up down clean chromium

$(INSTALLED): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[test]'
	touch $(INSTALLED)

run: $(INSTALLED) ## the whole platform embedded on http://127.0.0.1:8000 with demo data
	$(BIN)/jiangong up --demo

test: $(INSTALLED) chromium ## every test: unit, integration, contract, e2e and browser
	$(BIN)/pytest -q

chromium: ## Debian's Chromium for the browser tests (they are skipped, saying why, without it)
	@command -v chromium >/dev/null || { \
	  if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null; then \
	    echo "installing Debian's chromium for the browser tests"; \
	    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null \
	      || echo "chromium could not be installed: the browser tests will be skipped"; \
	  else echo "no chromium and no root to install it: the browser tests will be skipped"; fi; }

test-fast: $(INSTALLED) ## unit tests only
	$(BIN)/pytest -q tests/unit

bench: $(INSTALLED) ## the benchmarks, each beside its baseline measured in the same run
	$(BIN)/python benchmarks/bus.py
	$(BIN)/python benchmarks/registry_import.py
	$(BIN)/python benchmarks/leaderboard.py
	$(BIN)/python benchmarks/assessments.py

lint: $(INSTALLED)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy shared services/*/domain

format: $(INSTALLED)
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

up: ## the distributed platform in containers (needs a Docker engine)
	docker compose up --build

down:
	docker compose down

clean:
	rm -rf $(VENV) var .pytest_cache .ruff_cache .mypy_cache
