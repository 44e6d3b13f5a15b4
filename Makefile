# Two commands for a new machine: `make demo` and `make test`.
PY ?= python3
VENV := .venv
BIN := $(VENV)/bin
UV := $(BIN)/uv
STAMP := $(VENV)/.installed

.PHONY: demo test check install browser bench lock clean

$(BIN)/python:
	$(PY) -m venv $(VENV)
	$(BIN)/pip install --quiet --disable-pip-version-check uv

$(STAMP): pyproject.toml requirements.lock | $(BIN)/python
	$(UV) pip install --quiet --compile-bytecode --python $(BIN)/python -r requirements.lock
	$(UV) pip install --quiet --python $(BIN)/python --no-deps -e .
	touch $(STAMP)

install: $(STAMP)

demo: $(STAMP)
	$(BIN)/curation build exports/seed-news.yaml

# The suite in parallel (pytest-xdist; groups and the shared Label Studio: tests/conftest.py).
# More workers than cores pays: many tests wait on Label Studio, Chromium or a subprocess.
TEST_WORKERS ?= 2

test: $(STAMP) browser check
	$(BIN)/python -m pytest -n $(TEST_WORKERS)

# Lint and types at the level pyproject.toml sets ([tool.ruff], [tool.mypy]): both must find nothing.
check: $(STAMP)
	$(BIN)/ruff check curation tests bench
	$(BIN)/mypy

# The HTML report is tested in a real headless Chromium (Debian's package; Playwright never downloads one).
browser:
	@command -v chromium >/dev/null 2>&1 || { \
	  if [ "$$(id -u)" = 0 ]; then apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null; \
	  else echo "The report test needs Debian's chromium: sudo apt-get install chromium" >&2; exit 1; fi; }

bench: $(STAMP)
	$(BIN)/python bench/segment.py

# Regenerate the pinned environment after changing dependencies in pyproject.toml.
lock: | $(BIN)/python
	$(UV) pip compile --quiet --python-version 3.11 --extra studio --extra test --extra bench pyproject.toml -o requirements.lock

clean:
	rm -rf $(VENV) .pytest_cache
