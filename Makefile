# Two entry points on a fresh machine with only python3 and make:
#   make run    set up .venv and run the main job on the bundled review
#   make test   set up .venv and run the test suite
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.stamp-install

.PHONY: run test bench score setup clean

$(STAMP): pyproject.toml constraints.txt
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -c constraints.txt -e '.[dev,bench]'
	touch $(STAMP)

setup: $(STAMP)

run: $(STAMP)
	$(BIN)/gepnec-extract run --out out

test: $(STAMP)
	$(BIN)/python -m pytest -q

bench: $(STAMP)
	$(BIN)/python benchmarks/bench_ingest.py
	$(BIN)/python benchmarks/bench_tag.py
	$(BIN)/python benchmarks/bench_batch.py

# every extraction metric in one command: the review and the dev documents against their gold,
# per document, pooled per group (d01-d10: the first papers; d11-d18: the later ones) and per field
SCORE_FIELDS := toxicities,line,drugs,doses,cr_pct,study_id,year,ref
score: $(STAMP)
	$(BIN)/gepnec-extract run corpus/review/review.pdf ../shared/corpus/dev --out out/score --no-report
	$(BIN)/python scripts/score.py out/score --gold gold --gold ../shared/corpus/dev \
		--group 'review=^review$$' --group 'd01-d10=^d(0[1-9]|10)-' --group 'd11-d18=^d1[1-8]-' \
		--fields $(SCORE_FIELDS)

clean:
	rm -rf $(VENV) out
