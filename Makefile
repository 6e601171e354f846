# hotelbox — the two commands a newcomer needs are `make run` and `make test`.
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
UV := $(VENV)/bin/uv
export UV_NATIVE_TLS := 1
export HF_HUB_OFFLINE := 1

.PHONY: run test bench soak lint format venv dev clean

# The virtualenv is (re)built when pyproject.toml changes.
$(VENV)/.stamp-run: pyproject.toml
	@test -x $(PY) || $(PYTHON) -m venv $(VENV)
	@$(PY) -m pip install -q --disable-pip-version-check uv
	$(UV) pip install -q --python $(PY) -e .
	@touch $@

$(VENV)/.stamp-dev: pyproject.toml $(VENV)/.stamp-run
	$(UV) pip install -q --python $(PY) -e '.[test]'
	@touch $@

venv: $(VENV)/.stamp-run
dev: $(VENV)/.stamp-dev

## make run: create the environment, install, start the box on its embedded default
run: venv
	$(VENV)/bin/hotelbox run

## make test: what CI runs (installs everything it needs, then the test suite)
## .ci/run calls back `make test SKIP_SETUP=1` once the machine is ready.
test:
ifeq ($(SKIP_SETUP),1)
	@set +e; $(PY) -m pytest -q -p no:cacheprovider $(PYTEST_ARGS); rc=$$?; \
	  if [ $$rc -eq 5 ]; then echo "pytest collected no tests: failing"; exit 1; fi; exit $$rc
else
	bash .ci/run
endif

## make bench: benchmarks that print figures (see tests/bench/); one of them: make bench BENCH=pms
bench: dev
	$(PY) -m tests.bench $(BENCH)

## make soak: the crash and load harnesses in their long form (about 25 minutes; CI runs short forms)
soak: dev
	$(PY) -m tests.bench.soak

lint: dev
	$(VENV)/bin/ruff check hotelbox tests
	$(VENV)/bin/ruff format --check hotelbox tests
	$(VENV)/bin/mypy  # strict, on hotelbox/ ([tool.mypy] in pyproject.toml)

format: dev
	$(VENV)/bin/ruff format hotelbox tests
	$(VENV)/bin/ruff check --fix hotelbox tests

clean:
	rm -rf $(VENV) var build *.egg-info
