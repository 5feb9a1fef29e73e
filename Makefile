# Two commands set everything up on a fresh machine (Python >= 3.11 and make):
#   make demo   grades the bundled sample submissions into graded/
#   make test   lints (ruff), type-checks (mypy), then runs the kit's whole test suite
#   make check  the fast lane: lint, types, and the tests not marked slow (about 2 minutes)
VENV   ?= .venv
PYTHON ?= python3
BIN     = $(VENV)/bin

.PHONY: demo test check lint install clean

$(BIN)/grader: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[test]'
	touch $@

install: $(BIN)/grader

demo: install
	$(BIN)/grader validate
	$(BIN)/grader grade samples solutions exercises --out graded --lines
	@echo "results: graded/gradebook.csv, graded/report.html, graded/<student>/feedback.md"

lint: install
	$(BIN)/ruff check .
	$(BIN)/mypy

test: lint
	$(BIN)/python -m pytest -n 4 tests

check: lint
	$(BIN)/python -m pytest -n 4 -m "not slow" tests

clean:
	rm -rf $(VENV) graded .pytest_cache .mypy_cache .ruff_cache
