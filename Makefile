# Two entry points, each doing all its own set-up on a fresh machine:
#   make test      virtual environment + dependencies, then lint, type check and the whole test suite
#   make demo      the example programs (Python, and Pulumi YAML through the provider plugin) deployed
#                  by `pulumi up` to the emulator on loopback (needs the Pulumi CLI; downloads it once
#                  if missing, else says how to install it; the YAML one's `pulumi install` makes the
#                  plugin's provider/venv)
# and one more that needs no Pulumi CLI:
#   make demo-cli  the emulator on loopback and a walk through the client's command line against it
PYTHON ?= python3
VENV   ?= .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed-stamp

.PHONY: test lint typecheck pytest demo demo-cli emulator bench clean

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev,emulator]' -e sdk/python
	touch $(STAMP)

test: lint typecheck pytest

lint: $(STAMP)
	$(BIN)/ruff check provider tests benchmarks examples sdk/python
	$(BIN)/ruff format --check provider tests benchmarks examples sdk/python

# The package, the harness and the generated SDK (pyproject.toml), then the benchmark scripts: they
# import the shared test tables, which are checked only as far as the scripts use them.
typecheck: $(STAMP)
	$(BIN)/mypy
	$(BIN)/mypy --strict --follow-imports=silent benchmarks/*.py

# -n auto: one worker a core; worksteal: an idle worker takes tests a busy one has not started.
pytest: $(STAMP)
	$(BIN)/python -m pytest -n auto --dist worksteal

demo: $(STAMP)
	$(BIN)/pulumi-apikeys demo

demo-cli: $(STAMP)
	PATH="$(CURDIR)/$(BIN):$$PATH" bash scripts/demo.sh

emulator: $(STAMP)
	$(BIN)/pulumi-apikeys emulator --port 8787 --admin-key sk-admin-local

# Every benchmark, one at a time, into benchmarks/RESULTS.md (see benchmarks/README.md).
bench: $(STAMP)
	$(BIN)/python benchmarks/run_all.py

clean:
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache
