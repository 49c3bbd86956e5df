# nodenet developer commands. `make test` is the README's test command: it builds
# .venv with the dev tools on first use, then runs the suite with coverage, mypy
# and the project checks.

PYTHON ?= python3
VENV   ?= .venv
BIN    := $(VENV)/bin
PY     := $(BIN)/python
PYTEST_ARGS ?=

.PHONY: all venv test pytest cov typecheck check bench test-py39 test-pypy echo clean

all: test

$(VENV)/.installed: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e '.[dev]'
	touch $@

venv: $(VENV)/.installed

# The whole suite, coverage >= 90% of nodenet/, mypy --strict, project checks.
test: venv
	$(PY) -m coverage erase
	$(PY) -m coverage run -m pytest $(PYTEST_ARGS)
	$(PY) -m coverage combine --quiet
	$(PY) -m coverage report --fail-under=90
	$(MAKE) --no-print-directory typecheck check

pytest: venv
	$(PY) -m pytest $(PYTEST_ARGS)

cov: venv
	$(PY) -m coverage html -d build/htmlcov
	@echo "open build/htmlcov/index.html"

typecheck: venv
	$(PY) -m mypy

check: venv
	$(PY) tools/check_project.py

# Benchmarks: nodenet side by side with asyncio and a bare selectors loop.
bench: venv
	$(PY) -m nodenet bench

# The suite on the oldest supported Python, when it is installed.
test-py39:
	@if command -v python3.9 >/dev/null 2>&1; then \
		$(MAKE) --no-print-directory pytest VENV=.venv39 PYTHON=python3.9; \
	else echo "python3.9 not installed: skipped"; fi

test-pypy:
	@if command -v pypy3 >/dev/null 2>&1; then \
		$(MAKE) --no-print-directory pytest VENV=.venv-pypy PYTHON=pypy3; \
	else echo "pypy3 not installed: skipped"; fi

echo:
	$(PYTHON) -m nodenet echo

clean:
	rm -rf $(VENV) .venv39 .venv-pypy build .coverage .coverage.* .mypy_cache
