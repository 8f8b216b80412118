# `make book` builds the whole book; `make test` runs every test. Both create .venv on first use.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
READY  := $(VENV)/.ready

.PHONY: book test run check lint bench data clean serve pdf dist
.DEFAULT_GOAL := book

$(READY): requirements.txt pyproject.toml
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -r requirements.txt -c constraints.txt
	$(BIN)/python -m pip install --quiet --disable-pip-version-check --no-deps -e .
	$(BIN)/python -m ipykernel install --sys-prefix --name python3 --display-name "Python 3" >/dev/null
	@touch $(READY)

## book: execute changed pages (papermill, in parallel) and compile the HTML (Jupyter Book, warnings are errors)
book: $(READY)
	$(BIN)/critmin build $(if $(FORCE),--force,)

## pdf: the whole book as one PDF (book/_build/pdf/critmin-book.pdf), printed offline by Chromium
pdf: book
	$(BIN)/python -m critmin.book.pdf

## dist: release archive dist/critmin-<version>.tar.gz (HTML site, PDF, data package, licences, SHA256SUMS)
dist: pdf
	$(BIN)/python -m critmin.book.dist

## run: rerun one notebook with new parameters into runs/, e.g. make run NB=mineral_profile ARGS="-p mineral gallium"
run: $(READY)
	$(BIN)/critmin run "$(NB)" $(ARGS)

# Tests run in $(JOBS) processes (pytest-xdist); the cells of a notebook, and the tests of a file, stay together.
# Three on two cores: the browser and PDF checks spend much of their time waiting for Chromium.
JOBS ?= 3

## test: the linter, unit and data tests, committed pages vs sources, nbval (strict), the HTML build, the browser check
test: $(READY) lint
	$(BIN)/python -m pytest tests book/pages --nbval -p no:cacheprovider -n $(JOBS) --dist loadfile

## check: the edit loop: the linter, then the unit and data tests (no kernels, no book build)
check: $(READY) lint
	$(BIN)/python -m pytest tests/unit tests/data -m "not slow" -q -p no:cacheprovider -n $(JOBS)

## lint: ruff, configured in pyproject.toml
lint: $(READY)
	$(BIN)/ruff check .

## bench: build-time and page-weight figures (prints, asserts nothing)
bench: $(READY)
	$(BIN)/python tools/bench.py

## data: re-curate data/ from the publishers' raw files, e.g. make data RAW=path/to/raw
data: $(READY)
	$(BIN)/critmin curate $(RAW)

serve:
	$(BIN)/python -m http.server --bind 127.0.0.1 --directory book/_build/html 8000

clean:
	rm -rf book/_build .build-tmp .build-tmp-pdf runs test-output dist
