# The two commands a fresh machine needs: `make demo` and `make test`.
# Each creates .venv on first use and reinstalls only when pyproject.toml changes.

PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin

.PHONY: demo test bench clean

demo: $(VENV)/.base
	$(BIN)/qbank build examples/demo-quiz.yaml --roster examples/roster.csv -o out

test: $(VENV)/.dev
	$(BIN)/python -m pytest

bench: $(VENV)/.dev
	for b in bench/bench_*.py; do $(BIN)/python $$b || exit 1; done

$(VENV)/bin/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install -q --upgrade pip

$(VENV)/.base: pyproject.toml | $(VENV)/bin/python
	$(BIN)/python -m pip install -q -e .
	touch $@

$(VENV)/.dev: pyproject.toml | $(VENV)/bin/python
	$(BIN)/python -m pip install -q -e '.[dev]'
	touch $@ $(VENV)/.base

clean:
	rm -rf $(VENV) out .pytest_cache build src/*.egg-info
