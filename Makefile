# Two commands: `make book` builds the website, `make test` runs every test.
# Both create .venv with the pinned requirements on first use.

PYTHON ?= python3.11
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

# The real datasets, where this machine has a copy beside the project (see attnlib.data).
SHARED_DATA := $(abspath ../shared/data)
ifneq ($(wildcard $(SHARED_DATA)),)
export ATTNLIB_DATA ?= $(SHARED_DATA)
endif
# Progress bars are for people running a notebook; stored outputs and nbval's runs leave them out.
export TQDM_DISABLE := 1
export PYDEVD_DISABLE_FILE_VALIDATION := 1

NOTEBOOKS := $(sort $(wildcard chapters/*.ipynb))
SPHINX_OPTS := -b html -n -W --keep-going -j 1

.PHONY: book test unit notebooks exercises assign site execute clean

$(STAMP): requirements.txt pyproject.toml
	@# The exercise grader's sandbox (bubblewrap): installed where missing, as root on Linux.
	@command -v bwrap >/dev/null || { [ "$$(uname)" = Linux ] && [ "$$(id -u)" = 0 ] \
	  && command -v apt-get >/dev/null && apt-get update -qq && apt-get install -y -qq bubblewrap; } \
	  || echo "note: bubblewrap is not installed; 'python -m attnlib.grading grade' will refuse to grade"
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install -qq -r requirements.txt
	$(BIN)/python -m pip install -qq --no-deps -e .
	$(BIN)/python -m ipykernel install --sys-prefix --name python3 >/dev/null
	touch $@

conf.py: _config.yml $(STAMP)
	$(BIN)/jupyter-book config sphinx . >/dev/null

## book: execute every chapter and build the website into _build/html (warnings are errors)
book: conf.py
	$(BIN)/python -m sphinx $(SPHINX_OPTS) -D nb_execution_mode=force . _build/html
	@echo "The site is in _build/html/index.html"

## test: unit tests, notebooks (nbval), exercises, and the site build
test: unit notebooks exercises site

unit: $(STAMP)
	$(BIN)/python -m pytest tests -n 2 --dist loadfile -q

# Each notebook executes once here, serially, so that its outputs (seeded, same threads)
# match those stored by `make execute`.
notebooks: $(STAMP)
	PYTHONPATH=tests $(BIN)/python -m pytest --nbval $(NOTEBOOKS) --nbval-current-env \
	  --nbval-sanitize-with tests/nbval_sanitize.cfg --nbval-cell-timeout 300 -p no:xdist -q \
	  -p nbval_timing --notebook-budget 240 -p nbval_data

exercises: $(STAMP)
	$(BIN)/python -m attnlib.grading verify

## assign: regenerate the exercise handouts and pages from exercises/source (commit the result)
assign: $(STAMP)
	$(BIN)/python -m attnlib.grading assign

# Renders the outputs stored in the notebooks (nbval has just checked them): no second execution.
site: conf.py
	$(BIN)/python -m sphinx $(SPHINX_OPTS) -D nb_execution_mode=off . _build/html

## execute: re-run the chapters in place and store their outputs (commit the result)
execute: $(STAMP)
	$(BIN)/python scripts/execute_notebooks.py $(NOTEBOOKS)

clean:
	rm -rf _build conf.py
