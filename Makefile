# Two commands set everything up on a fresh machine: `make demo` and `make test`.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
STUDY := studies/war-naming.toml
CASE_STUDY := paper/case-study
TEX_PACKAGES := texlive-latex-recommended texlive-fonts-recommended latexmk pandoc
export OMP_NUM_THREADS ?= 1
export OPENBLAS_NUM_THREADS ?= 1

# The exact versions, with hashes, of every dependency (core, and the dev
# and dask extras) for Linux, macOS and Windows, Python 3.11-3.13: uv's universal
# resolution of pyproject.toml, the project itself left out.
LOCK := requirements/lock.txt
# Packages uploaded after LOCK_EXCLUDE_NEWER are invisible to `make lock`,
# and --upgrade resolves afresh instead of from the versions already in the
# lock, so the lock depends on this recorded date (and on pyproject.toml and
# uv's version, itself locked), not on the day it is run. No drift means:
# `make lock-check` resolves into a temporary file and diffs it with the
# committed lock (checked byte-identical on 2026-12-01, uv 0.13.9, also with
# uv's cache refreshed). Only a yanked or deleted release breaks that. Move
# the date forward deliberately to take newer releases; commit both.
LOCK_EXCLUDE_NEWER := 2026-12-01T00:00:00Z
LOCK_FLAGS := --extra dev --extra dask --universal --python-version 3.11 --generate-hashes \
	--exclude-newer $(LOCK_EXCLUDE_NEWER) --custom-compile-command "make lock" \
	--upgrade --quiet

.PHONY: install demo study test lint typecheck pytest bench lab paper tex clean \
	lock lock-check

# Exactly the lock, every file checked against its hash; then the project
# without dependencies, so nothing beyond the lock is resolved. Users who
# do not want the lock get the ranges in pyproject.toml: pip install framing.
$(STAMP): pyproject.toml $(LOCK)
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet --require-hashes -r $(LOCK)
	$(BIN)/python -m pip install --quiet --no-deps -e .
	touch $(STAMP)

install: $(STAMP)

# Regenerate the lock after a change to the dependencies in pyproject.toml
# or to LOCK_EXCLUDE_NEWER (needs the package index).
lock: $(STAMP)
	$(BIN)/uv pip compile pyproject.toml $(LOCK_FLAGS) -o $(LOCK)

# No drift: the committed lock is what `make lock` gives today.
lock-check: $(STAMP)
	@tmp=$$(mktemp -d) && \
	  $(BIN)/uv pip compile pyproject.toml $(LOCK_FLAGS) -o $$tmp/lock.txt && \
	  diff -u $(LOCK) $$tmp/lock.txt && rm -r $$tmp && \
	  echo "$(LOCK): no drift (exclude-newer $(LOCK_EXCLUDE_NEWER))"

# The war-naming study: corpora, detection, statistics, topics, classifier,
# figures and tables; prints where they are and the headline table.
demo study: $(STAMP)
	$(BIN)/framing run $(STUDY)

# JupyterLab on the notebooks, with this environment as the kernel.
lab: $(STAMP)
	$(BIN)/jupyter lab --notebook-dir=notebooks

# TeX for the papers, from the system package manager when missing.
tex:
	@if ! command -v latexmk >/dev/null || ! command -v pandoc >/dev/null \
	    || ! kpsewhich booktabs.sty >/dev/null; then \
	  echo "installing $(TEX_PACKAGES)"; \
	  SUDO=$$(test "$$(id -u)" -eq 0 || echo sudo); \
	  $$SUDO apt-get update -qq && \
	  DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq $(TEX_PACKAGES); \
	fi

# Both papers from the study's outputs: the case study (LaTeX, latexmk) and
# the JOSS software paper (pandoc); PDFs in paper/build/.
paper: study tex
	cd $(CASE_STUDY) && latexmk -pdf -interaction=nonstopmode -halt-on-error \
	    -outdir=build main.tex
	mkdir -p paper/build
	cp $(CASE_STUDY)/build/main.pdf paper/build/case-study.pdf
	cd paper && pandoc paper.md --citeproc --bibliography paper.bib \
	    -o build/paper.pdf
	@echo "papers: paper/build/case-study.pdf paper/build/paper.pdf"

lint: $(STAMP)
	$(BIN)/ruff check framing tests benchmarks notebooks
	$(BIN)/ruff format --check framing tests benchmarks notebooks

typecheck: $(STAMP)
	$(BIN)/mypy framing

pytest: $(STAMP)
	$(BIN)/python -m pytest

test: lint typecheck pytest

bench: $(STAMP)
	$(BIN)/python benchmarks/ingest.py

clean:
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache .hypothesis \
	    studies/out paper/build $(CASE_STUDY)/build
