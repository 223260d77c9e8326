# `make demo` and `make test` each start from nothing: they build .venv first.
PYTHON ?= python3
VENV ?= .venv
PY := $(VENV)/bin/python
BIN := $(VENV)/bin

.PHONY: setup demo test test-fast typecheck bench bench-validate clean

# The runtime install (what `splice`, `splicer` and the demo need) is apart from the test
# extras (pytest, playwright, mypy: some 300 MB), which only the test targets pull in.
$(VENV)/.runtime: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e .
	touch $@

$(VENV)/.installed: $(VENV)/.runtime
	$(PY) -m pip install --quiet -e '.[test]'
	touch $@

setup: $(VENV)/.installed

demo: $(VENV)/.runtime
	$(PY) scripts/demo.py

test: setup
	$(PY) -m pytest $(PYTEST_ARGS)

# A few seconds instead of minutes: no test that starts processes or a browser.
test-fast: setup
	$(PY) -m pytest -m "not slow and not browser" $(PYTEST_ARGS)

typecheck: setup
	$(PY) -m mypy

bench: $(VENV)/.runtime
	$(PY) benchmarks/bench_splice.py

bench-validate: $(VENV)/.runtime
	$(PY) benchmarks/bench_validate.py

clean:
	rm -rf $(VENV) build dist test-artifacts .pytest_cache .mypy_cache
