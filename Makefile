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

.PHONY: install demo study test lint typecheck pytest bench lab paper tex clean

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e ".[dev]"
	touch $(STAMP)

install: $(STAMP)

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
