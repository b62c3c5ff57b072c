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
	$(VENV)/bin/referat evaluate --gold data/sample_gold --pred out --report out/report.html > /dev/null
	@echo "Results: $(CURDIR)/out/<document>.json (normalised source text in out/text/, manifest in out/manifest.jsonl)"
	@echo "Evaluation against our sample annotations: $(CURDIR)/out/report.html (metrics in out/metrics.json)"

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

# The shipped default models (models/), trained on ../shared, scored leave-one-municipality-out, logged to MLflow
# (mlflow.db); the segmenter's held-out predictions are evaluated per municipality into build/lomo-segment/report.html.
train: $(STAMP)
	rm -rf build/lomo-segment
	$(VENV)/bin/referat train segment --config configs/train_segment.yaml --gate configs/quality_gate.yaml --predictions build/lomo-segment
	$(VENV)/bin/referat evaluate --gold $(SHARED)/real --gold $(SHARED)/gold --gold data/sample_gold --pred build/lomo-segment \
	  --by municipality --report build/lomo-segment/report.html
	$(VENV)/bin/referat train type --config configs/train_type.yaml --gate configs/quality_gate.yaml
	$(VENV)/bin/referat train topics --config configs/train_topics.yaml --gate configs/quality_gate.yaml

# The DVC pipeline (ingest → segment → train → predict → evaluate → report) on the shared corpus, logged to
# MLflow. params.yaml is pointed at ../shared for the run and put back afterwards.
pipeline: $(STAMP)
	mkdir -p build && cp params.yaml build/params.yaml.bak
	$(VENV)/bin/python -c "import yaml; p = yaml.safe_load(open('params.yaml')); \
	  p['data'] = {'raw': '$(SHARED)/corpus', 'gold': '$(SHARED)/gold'}; \
	  yaml.safe_dump(p, open('params.yaml', 'w'), sort_keys=False, allow_unicode=True)"
	PATH="$(CURDIR)/$(VENV)/bin:$$PATH" $(VENV)/bin/dvc repro; status=$$?; \
	  cp build/params.yaml.bak params.yaml; exit $$status
	PATH="$(CURDIR)/$(VENV)/bin:$$PATH" $(VENV)/bin/dvc metrics show

clean:
	rm -rf out build .pytest_cache dvc_plots
