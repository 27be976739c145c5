# Two entry points, each doing all its own set-up on a fresh machine:
#   make test   virtual environment + dependencies, then lint, type check and the whole test suite
#   make demo   the emulator on loopback and a walk through the client against it
PYTHON ?= python3
VENV   ?= .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed-stamp

.PHONY: test lint typecheck pytest demo emulator bench clean

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	touch $(STAMP)

test: lint typecheck pytest

lint: $(STAMP)
	$(BIN)/ruff check provider tests benchmarks
	$(BIN)/ruff format --check provider tests benchmarks

typecheck: $(STAMP)
	$(BIN)/mypy

pytest: $(STAMP)
	$(BIN)/python -m pytest

demo: $(STAMP)
	PATH="$(CURDIR)/$(BIN):$$PATH" bash scripts/demo.sh

emulator: $(STAMP)
	$(BIN)/pulumi-apikeys emulator --port 8787 --admin-key sk-admin-local

bench: $(STAMP)
	$(BIN)/python benchmarks/client_vs_emulator.py

clean:
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache
