# Two entry points on a fresh machine with only python3 and make:
#   make run    set up .venv and run the main job on the bundled review
#   make test   set up .venv and run the test suite
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.stamp-install

.PHONY: run test bench score score-text setup clean bytecode

$(STAMP): pyproject.toml constraints.txt
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -c constraints.txt -e '.[dev,bench]'
	touch $(STAMP)

# The editable install leaves our own modules uncompiled, and where PYTHONDONTWRITEBYTECODE is set
# (as in many containers, and on this project's machines) every run would compile them again:
# 0.05 s of a cold run of the review, measured. compileall only redoes what changed.
bytecode: $(STAMP)
	$(BIN)/python -m compileall -q src flows

setup: bytecode

run: bytecode
	$(BIN)/gepnec-extract run --out out

test: bytecode
	$(BIN)/python -m pytest -q

bench: bytecode
	$(BIN)/python benchmarks/bench_ingest.py
	$(BIN)/python benchmarks/bench_tag.py
	$(BIN)/python benchmarks/bench_batch.py

# every extraction metric in one command: the review and the dev documents against their gold,
# per document, pooled per group (d01-d10: the first papers; d11-d18: the later ones) and per field
SCORE_FIELDS := toxicities,line,drugs,doses,cr_pct,study_id,year,ref
score: bytecode
	$(BIN)/gepnec-extract run corpus/review/review.pdf ../shared/corpus/dev --out out/score --no-report
	$(BIN)/python scripts/score.py out/score --gold gold --gold ../shared/corpus/dev \
		--group 'review=^review$$' --group 'd01-d10=^d(0[1-9]|10)-' --group 'd11-d18=^d1[1-8]-' \
		--fields $(SCORE_FIELDS)

# the same dev papers as plain text (pdftotext, poppler, prints each PDF's text layer with
# its tables flattened into lines): how the .txt reader does on papers it was not written on
score-text: bytecode
	rm -rf out/score-text && mkdir -p out/score-text/papers
	for pdf in ../shared/corpus/dev/*.pdf; do pdftotext "$$pdf" "out/score-text/papers/$$(basename "$$pdf" .pdf).txt"; done
	$(BIN)/gepnec-extract run out/score-text/papers --out out/score-text/out --no-report
	$(BIN)/python scripts/score.py out/score-text/out --gold ../shared/corpus/dev \
		--group 'd01-d10=^d(0[1-9]|10)-' --group 'd11-d18=^d1[1-8]-' --fields $(SCORE_FIELDS)

clean:
	rm -rf $(VENV) out
