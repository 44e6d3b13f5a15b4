# Two commands for a new machine: `make demo` and `make test`.
PY ?= python3
VENV := .venv
BIN := $(VENV)/bin
UV := $(BIN)/uv
STAMP := $(VENV)/.installed

.PHONY: demo test install bench lock clean

$(BIN)/python:
	$(PY) -m venv $(VENV)
	$(BIN)/pip install --quiet --disable-pip-version-check uv

$(STAMP): pyproject.toml requirements.lock | $(BIN)/python
	$(UV) pip install --quiet --python $(BIN)/python -r requirements.lock
	$(UV) pip install --quiet --python $(BIN)/python --no-deps -e .
	touch $(STAMP)

install: $(STAMP)

demo: $(STAMP)
	$(BIN)/curation segment seeds -o exports/seed-news/units.jsonl

test: $(STAMP)
	$(BIN)/python -m pytest

bench: $(STAMP)
	$(BIN)/python bench/segment.py

# Regenerate the pinned environment after changing dependencies in pyproject.toml.
lock: | $(BIN)/python
	$(UV) pip compile --quiet --python-version 3.11 --extra studio --extra test --extra bench pyproject.toml -o requirements.lock

clean:
	rm -rf $(VENV) .pytest_cache
