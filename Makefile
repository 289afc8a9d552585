# azalai: quick start is `make demo` then `make test`.
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
PIP := $(PY) -m pip
STAMP_RUN := $(VENV)/.stamp-run
STAMP_DEV := $(VENV)/.stamp-dev

.PHONY: demo test venv dev browser bench clean

$(VENV)/bin/python:
	$(PYTHON) -m venv $(VENV)
	$(PIP) install --quiet --upgrade pip

# Installing also compiles the engine into numba's cache (azalai/model/__pycache__), so that the first
# `azalai` command starts in seconds instead of compiling (see docs/performance.md, "Start-up").
$(STAMP_RUN): $(VENV)/bin/python pyproject.toml
	$(PIP) install --quiet -e ".[analysis,app]"
	$(PY) -m azalai.model.warmup
	touch $@

$(STAMP_DEV): $(VENV)/bin/python pyproject.toml
	$(PIP) install --quiet -e ".[dev]"
	$(PY) -m azalai.model.warmup
	touch $@ $(STAMP_RUN)

venv: $(STAMP_RUN)

dev: $(STAMP_DEV)

# Debian's Chromium drives the browser tests (Playwright's own download does not work offline).
browser:
	@if [ ! -x /usr/bin/chromium ]; then \
	  (apt-get update && apt-get install -y --no-install-recommends chromium) || \
	  echo "warning: could not install chromium; browser tests will be skipped"; \
	fi

demo: $(STAMP_RUN)
	$(VENV)/bin/azalai demo

test: $(STAMP_DEV) browser
	$(PY) -m azalai.model.warmup
	$(PY) -m pytest -q -n 2 --dist loadgroup tests

bench: $(STAMP_DEV)
	$(PY) benchmarks/run_all.py

clean:
	rm -rf $(VENV) azalai-runs out test-artifacts
