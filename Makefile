# The menu. `make run` and `make test` work on a fresh machine: each creates .venv and installs
# what it needs first (again only when pyproject.toml changes).

PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
INSTALLED := $(VENV)/.installed

.PHONY: run test test-fast bench lint format up down clean

$(INSTALLED): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[test]'
	touch $(INSTALLED)

run: $(INSTALLED) ## the whole platform embedded on http://127.0.0.1:8000 with demo data
	$(BIN)/jiangong up --demo

test: $(INSTALLED) ## every test: unit, integration, contract (SQLite, PostgreSQL, Kafka)
	$(BIN)/pytest -q

test-fast: $(INSTALLED) ## unit tests only
	$(BIN)/pytest -q tests/unit

bench: $(INSTALLED) ## the benchmarks, each beside its baseline measured in the same run
	$(BIN)/python benchmarks/bus.py
	$(BIN)/python benchmarks/registry_import.py
	$(BIN)/python benchmarks/leaderboard.py

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
