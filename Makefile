# Two commands: `make book` builds the website, `make test` runs every test.
# Both create .venv with the pinned requirements on first use.

# The Python: the first of these on the PATH that runs (pyenv shims of an inactive version do
# not) and that the pins install on. python3.11 is what the pins are tested with; torch 2.13.0,
# numpy 2.4.6 and the rest also publish wheels for 3.12 (Ubuntu 24.04's python3). Override
# with `make PYTHON=/path/to/python`.
SUPPORTED_PYTHONS := python3.11 python3.12 python3
ifeq ($(origin PYTHON),undefined)
PYTHON := $(firstword $(foreach p,$(SUPPORTED_PYTHONS),$(shell $(p) -c 'import sys; \
  sys.exit(not (3, 11) <= sys.version_info[:2] <= (3, 12))' >/dev/null 2>&1 && echo $(p))))
endif
# PyPI's Linux wheels of torch are CUDA builds (with several GB of nvidia-* packages); PyTorch's
# CPU index has the same release built for the CPU, which is all the course needs. Opt in with
# `make TORCH_INDEX=https://download.pytorch.org/whl/cpu ...`; by default pip's own configuration
# decides (where that index cannot be reached, trying it would only add retries).
TORCH_INDEX ?=
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

.PHONY: book test unit lint notebooks exercises assign site browser execute clean

$(STAMP): requirements.txt pyproject.toml
	@test -x $(BIN)/python || test -n "$(PYTHON)" || { echo "No supported Python on the PATH:" \
	  "install Python 3.11 or 3.12, or run make PYTHON=/path/to/python3.11" >&2; exit 1; }
	@test -x $(BIN)/python || echo "Python: $(PYTHON) ($$($(PYTHON) -c \
	  'import sys; print(sys.version.split()[0], sys.executable)')), the first supported one on the PATH"
	@# The exercise grader's sandbox (bubblewrap): installed where missing, as root on Linux.
	@command -v bwrap >/dev/null || { [ "$$(uname)" = Linux ] && [ "$$(id -u)" = 0 ] \
	  && command -v apt-get >/dev/null && apt-get update -qq && apt-get install -y -qq bubblewrap; } \
	  || echo "note: bubblewrap is not installed; 'python -m attnlib.grading grade' will refuse to grade"
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install -qq "$$(grep '^torch==' requirements.txt)" \
	  $(if $(TORCH_INDEX),--extra-index-url $(TORCH_INDEX))
	$(BIN)/python -m pip install -qq -r requirements.txt
	$(BIN)/python -m pip install -qq --no-deps -e .
	$(BIN)/python -m ipykernel install --sys-prefix --name python3 >/dev/null
	touch $@

# The site's browser assets (MathJax, mermaid, icon font) and axe-core, pinned in package-lock.json.
NPM_STAMP := node_modules/.package-lock.json
$(NPM_STAMP): package.json package-lock.json
	npm ci --no-audit --no-fund --ignore-scripts
	touch $@

# `jupyter-book config sphinx` leaves out the path of _config.yml's local_extensions (book/).
conf.py: _config.yml $(STAMP) $(NPM_STAMP)
	$(BIN)/jupyter-book config sphinx . >/dev/null
	printf '\nimport os, sys\nsys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "book"))\n' >> conf.py

## book: execute every chapter and build the website into _build/html (warnings are errors)
book: conf.py
	$(BIN)/python -m sphinx $(SPHINX_OPTS) -D nb_execution_mode=force . _build/html
	@echo "The site is in _build/html/index.html"

## test: lint, unit tests and docstring examples, notebooks (nbval), exercises, the site build,
## and the site in a browser
test: lint unit notebooks exercises site browser

# ruff and mypy, pinned in requirements.txt, configured in pyproject.toml: lint, format, and
# the types of the attnlib package (mypy's `files`).
lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/python -m mypy

# The tests, then every docstring example of attnlib.
unit: $(STAMP)
	$(BIN)/python -m pytest tests -n 2 --dist loadfile -q --ignore=tests/browser
	$(BIN)/python -m pytest --doctest-modules attnlib -q -p no:xdist

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

# Every built page in headless Chromium (Debian's package, installed here when missing; never a
# browser downloaded by Playwright): see tests/browser/test_site.py. Run after `make site`;
# screenshots go to _build/screenshots/.
browser: $(STAMP) $(NPM_STAMP)
	command -v chromium >/dev/null || (apt-get update && apt-get install -y chromium)
	$(BIN)/python -m pytest tests/browser -n 2 -q

## execute: re-run the chapters in place and store their outputs (commit the result)
execute: $(STAMP)
	$(BIN)/python scripts/execute_notebooks.py $(NOTEBOOKS)

clean:
	rm -rf _build conf.py
