# `make demo` and `make test` each start from nothing: they build .venv first.
PYTHON ?= python3
VENV ?= .venv
PY := $(VENV)/bin/python
BIN := $(VENV)/bin

.PHONY: setup demo test typecheck bench clean

$(VENV)/.installed: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e '.[test]'
	touch $@

setup: $(VENV)/.installed

demo: setup
	$(PY) scripts/demo.py

test: setup
	$(PY) -m pytest $(PYTEST_ARGS)

typecheck: setup
	$(PY) -m mypy

bench: setup
	$(PY) benchmarks/bench_splice.py

clean:
	rm -rf $(VENV) build dist test-artifacts .pytest_cache .mypy_cache
