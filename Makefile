# Two-command set-up: `make run` and `make test` (each creates .venv and installs on first use).
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
# `make run` installs what running needs; `make test` (and the other targets) add the dev extras.
RUN_STAMP := $(VENV)/.installed-run
STAMP := $(VENV)/.installed-dev

.PHONY: install run test lint bench validate clean

install: $(STAMP)

$(VENV)/bin/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

$(RUN_STAMP): pyproject.toml | $(VENV)/bin/python
	$(BIN)/python -m pip install --quiet -e .
	touch $(RUN_STAMP)

$(STAMP): pyproject.toml | $(VENV)/bin/python
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	touch $(RUN_STAMP) $(STAMP)

run: $(RUN_STAMP)
	$(BIN)/python run_sim.py run scenarios/baseline.yaml --replications 100 --seed 2018 --holdout scenarios/holdout.yaml --out results/baseline

# The suite in one worker per core (a file's tests stay together, sharing its module fixtures).
# `make validate` stays in one process: the validation record is collected there.
test: $(STAMP)
	$(BIN)/python -m pytest -q -n auto --dist loadfile

validate: $(STAMP)
	$(BIN)/python -m pytest -q -m validation tests --validation-record docs/validation.md

lint: $(STAMP)
	$(BIN)/ruff check sim tests run_sim.py benchmarks

bench: $(STAMP)
	$(BIN)/python benchmarks/run_benchmarks.py

clean:
	rm -rf $(VENV) results .pytest_cache
