# The menu. `make run` and `make test` work on a fresh machine: each creates .venv and installs
# what it needs first (again only when pyproject.toml changes). `make run` installs only what
# running needs; the test tools come with `make test` (and lint, bench...).

PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
INSTALLED_RUN := $(VENV)/.installed-run
INSTALLED := $(VENV)/.installed-test

.PHONY: run test test-quick test-fast e2e bench lint format up down clean chromium

$(INSTALLED_RUN): pyproject.toml
	@echo "== installing Jiangong and what it needs to run into $(VENV) (first time, or pyproject.toml changed)"
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --progress-bar off -e .
	touch $(INSTALLED_RUN)
	@echo "== installed"

$(INSTALLED): $(INSTALLED_RUN)
	@echo "== installing the test tools into $(VENV): pytest, hypothesis, the Tansu broker, Playwright, ruff, mypy"
	$(BIN)/python -m pip install --progress-bar off -e '.[test]'
	touch $(INSTALLED)
	@echo "== installed"

run: $(INSTALLED_RUN) ## the whole platform embedded on http://127.0.0.1:8000 with demo data
	$(BIN)/jiangong up --demo

test: $(INSTALLED) chromium ## every test: unit, integration, contract, e2e and browser; then the 20 slowest
	$(BIN)/pytest -q --durations=20

test-quick: $(INSTALLED) ## unit and integration tests but those marked slow (the platform, browser, races, fuzz)
	$(BIN)/pytest -q -m "not slow" tests/unit tests/integration

chromium: ## Debian's Chromium and a CJK font for the browser tests, nginx for the proxy's (each skipped, saying why, without it)
	@command -v chromium >/dev/null || { \
	  if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null; then \
	    echo "installing Debian's chromium for the browser tests"; \
	    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null \
	      || echo "chromium could not be installed: the browser tests will be skipped"; \
	  else echo "no chromium and no root to install it: the browser tests will be skipped"; fi; }
	@dpkg -s fonts-wqy-microhei >/dev/null 2>&1 || { \
	  if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null; then \
	    echo "installing fonts-wqy-microhei so that Chinese renders in the browser tests' screenshots"; \
	    { DEBIAN_FRONTEND=noninteractive apt-get install -y -qq fonts-wqy-microhei >/dev/null 2>&1 \
	      || { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq fonts-wqy-microhei >/dev/null; }; } \
	      || echo "fonts-wqy-microhei could not be installed: Chinese may show as boxes in screenshots"; \
	  else echo "no CJK font and no root to install one: Chinese may show as boxes in screenshots"; fi; }
	@command -v nginx >/dev/null || test -x /usr/sbin/nginx || { \
	  if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null; then \
	    echo "installing Debian's nginx for the reverse proxy's test (it runs its own, on a free port)"; \
	    { DEBIAN_FRONTEND=noninteractive apt-get install -y -qq nginx >/dev/null 2>&1 \
	      || { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq nginx >/dev/null; }; } \
	      || echo "nginx could not be installed: the reverse proxy's test will be skipped"; \
	  else echo "no nginx and no root to install it: the reverse proxy's test will be skipped"; fi; }

test-fast: $(INSTALLED) ## unit tests only, in seconds
	$(BIN)/pytest -q tests/unit

e2e: $(INSTALLED) ## a Jiaxing year on the distributed platform (8 processes, PostgreSQL, Tansu) through a consumer kill, a relay crash and a broker pause (also in `make test`)
	$(BIN)/pytest -q -s tests/e2e

bench: $(INSTALLED) ## the benchmarks, each beside its baseline measured in the same run
	$(BIN)/python benchmarks/bus.py
	$(BIN)/python benchmarks/http_edge.py
	$(BIN)/python benchmarks/registry_import.py
	$(BIN)/python benchmarks/registry_lists.py
	$(BIN)/python benchmarks/enterprise_import.py
	$(BIN)/python benchmarks/leaderboard.py
	$(BIN)/python benchmarks/assessments.py
	$(BIN)/python benchmarks/dashboard_latency.py

lint: $(INSTALLED)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy shared services/*/domain

format: $(INSTALLED)
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

up: ## the distributed platform in containers (needs a Docker engine; deploy/README.md)
	docker compose up --build

down:
	docker compose down

clean:
	rm -rf $(VENV) var .pytest_cache .ruff_cache .mypy_cache
