# glossgraph: `make run` opens the app on the sample glossary; `make test` runs every test.
# Both install what they need first (a virtual environment in .venv, Chromium, the Neo4j jars).

PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
PORT ?= 8501
SOURCE ?= data/ai-glossary

.PHONY: install run app test test-fast lint typecheck check bench bench-full neo4j neo4j-stop neo4j-status browser clean

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	touch $(STAMP)

install: $(STAMP)

# Debian's Chromium for the browser tests (Playwright cannot download its own browser here).
browser:
	@command -v chromium >/dev/null 2>&1 || { \
	  echo "installing Debian's chromium for the browser tests"; \
	  (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium) >/dev/null; }

run: $(STAMP)
	$(BIN)/glossgraph app $(SOURCE) --port $(PORT)

app: run

test: $(STAMP) browser lint
	bash scripts/neo4j.sh install
	$(BIN)/python -m pytest

test-fast: $(STAMP)
	$(BIN)/python -m pytest -m "not neo4j and not browser"

lint: $(STAMP)
	$(BIN)/ruff check graph loaders tests app.py scripts
	$(BIN)/mypy
	$(BIN)/deptry .

typecheck: lint

check: lint test

bench: $(STAMP) browser
	$(BIN)/python -m scripts.bench

bench-full: $(STAMP) browser
	$(BIN)/python -m scripts.bench --sizes 1000,10000,100000,1000000

neo4j:
	bash scripts/neo4j.sh start

neo4j-stop:
	bash scripts/neo4j.sh stop

neo4j-status:
	bash scripts/neo4j.sh status

clean:
	rm -rf build dist *.egg-info .pytest_cache .mypy_cache .ruff_cache
