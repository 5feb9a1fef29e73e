# Two commands set everything up on a fresh machine (Python >= 3.11 and make):
#   make demo   grades the bundled sample submissions into graded/
#   make test   runs the kit's own test suite
VENV   ?= .venv
PYTHON ?= python3
BIN     = $(VENV)/bin

.PHONY: demo test install clean

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

test: install
	$(BIN)/python -m pytest -n 4 tests

clean:
	rm -rf $(VENV) graded .pytest_cache
