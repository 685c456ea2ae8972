# Two entry points for a fresh machine (see README):
#   ./run.sh   set up .venv, install the real Argos models (online), translate input/ and publish feeds/
#   make test  set up .venv with the test tools, then lint, type-check and run the test suite
# Plus: make demo (offline, with the project's own fixture models), make bench (writes BENCHMARKS.md).

PYTHON ?= python3
VENV   ?= .venv
BIN    := $(VENV)/bin

.PHONY: run test test-fast demo bench bench-quick setup setup-test lint clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip

setup: $(BIN)/python
	$(BIN)/pip install --quiet -e .

setup-test: $(BIN)/python
	$(BIN)/pip install --quiet -e '.[test,bench,ray]'

run:
	./run.sh

demo: setup
	$(BIN)/xlate models install tests/fixtures/models/translate-lt_en.argosmodel \
	    tests/fixtures/models/translate-en_pl.argosmodel tests/fixtures/models/translate-en_ru.argosmodel
	$(BIN)/xlate run --settle 0

lint: setup-test
	$(BIN)/ruff check src tests bench
	$(BIN)/ruff format --check src tests bench
	$(BIN)/mypy

test: lint
	$(BIN)/python -m pytest

# For developers: everything but the tests marked slow (CI runs `make test`, all of them).
test-fast: lint
	$(BIN)/python -m pytest -q -m "not slow"

bench: setup-test
	$(BIN)/python -m bench

bench-quick: setup-test
	$(BIN)/python -m bench --quick

clean:
	rm -rf $(VENV) state models feeds/* quarantine drafts
