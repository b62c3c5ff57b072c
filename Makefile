# `make run` and `make test` each work alone on a fresh machine: both create .venv and install first.
VENV    := .venv
PYTHON  ?= python3
STAMP   := $(VENV)/.installed-stamp
SHARED  ?= ../shared

.PHONY: run test gate train pipeline browser clean

$(STAMP): pyproject.toml
	test -x $(VENV)/bin/python || $(PYTHON) -m venv $(VENV)
	$(VENV)/bin/python -m pip install --quiet --upgrade pip
	$(VENV)/bin/python -m pip install --quiet -e '.[dev]'
	touch $(STAMP)

run: $(STAMP)
	$(VENV)/bin/referat run data/sample --out out
	$(VENV)/bin/referat evaluate --gold data/sample_gold --pred out --out out/metrics.json --report out/report.html > /dev/null
	@echo "Results: $(CURDIR)/out/<document>.json (normalised source text in out/text/, manifest in out/manifest.jsonl)"
	@echo "Evaluation against our sample annotations: $(CURDIR)/out/report.html (metrics in out/metrics.json)"

test: $(STAMP) browser
	$(VENV)/bin/python -m pytest -q

# The report test renders the page in Debian's headless Chromium; installed here when missing (as root).
browser:
	@command -v chromium >/dev/null 2>&1 || { [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1 && \
	  (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null) || \
	  echo "chromium not installed: the report rendering test will be skipped"; }

# Quality gate: the default pipeline (the shipped models) on the shared corpus against the gold annotations,
# floors in configs/quality_gate.yaml; then the rules alone (--no-models), the same floors, as a second line.
gate: $(STAMP)
	rm -rf build/gold-pred build/gold-pred-rules
	$(VENV)/bin/referat run $(SHARED)/corpus --out build/gold-pred --quiet
	$(VENV)/bin/referat evaluate --gold $(SHARED)/gold --pred build/gold-pred --gate configs/quality_gate.yaml \
	  --report build/gold-pred/report.html
	@echo "--- rules only (--no-models):"
	$(VENV)/bin/referat run $(SHARED)/corpus --out build/gold-pred-rules --quiet --no-models
	$(VENV)/bin/referat evaluate --gold $(SHARED)/gold --pred build/gold-pred-rules --gate configs/quality_gate.yaml

# The shipped models (models/) and their figures (metrics/): the DVC pipeline of dvc.yaml — segmenter, its
# leave-one-municipality-out evaluation and report (build/lomo/report.html), type and topic models, the quality
# gate on ../shared/gold. `dvc repro` redoes what a change to the data, a parameter or the code touches; every
# training run is logged to MLflow (mlflow.db).
train: $(STAMP)
	PATH="$(CURDIR)/$(VENV)/bin:$$PATH" $(VENV)/bin/dvc repro
	PATH="$(CURDIR)/$(VENV)/bin:$$PATH" $(VENV)/bin/dvc metrics show

pipeline: train

clean:
	rm -rf out build .pytest_cache dvc_plots
