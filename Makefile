# `make run` and `make test` each work alone on a fresh machine: both create .venv and install first.
VENV    := .venv
PYTHON  ?= python3
STAMP   := $(VENV)/.installed-stamp
SHARED  ?= ../shared

.PHONY: run test gate train browser clean

$(STAMP): pyproject.toml
	test -x $(VENV)/bin/python || $(PYTHON) -m venv $(VENV)
	$(VENV)/bin/python -m pip install --quiet --upgrade pip
	$(VENV)/bin/python -m pip install --quiet -e '.[dev]'
	touch $(STAMP)

run: $(STAMP)
	$(VENV)/bin/referat run data/sample --out out
	@echo "Results: $(CURDIR)/out/<document>.json (normalised source text in out/text/)"

test: $(STAMP) browser
	$(VENV)/bin/python -m pytest -q

# The report test renders the page in Debian's headless Chromium; installed here when missing (as root).
browser:
	@command -v chromium >/dev/null 2>&1 || { [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1 && \
	  (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null) || \
	  echo "chromium not installed: the report rendering test will be skipped"; }

# Quality gate: the pipeline on the shared corpus against the gold annotations, thresholds in configs/.
gate: $(STAMP)
	rm -rf build/gold-pred
	$(VENV)/bin/referat run $(SHARED)/corpus --out build/gold-pred --quiet --no-models
	$(VENV)/bin/referat evaluate --gold $(SHARED)/gold --pred build/gold-pred --gate configs/quality_gate.yaml --report build/gold-pred/report.html

# Default models from the shared corpus, scored leave-one-municipality-out, logged to MLflow (mlflow.db).
train: $(STAMP)
	$(VENV)/bin/referat train type --config configs/train_type.yaml --gate configs/quality_gate.yaml
	$(VENV)/bin/referat train topics --config configs/train_topics.yaml --gate configs/quality_gate.yaml

clean:
	rm -rf out build .pytest_cache
