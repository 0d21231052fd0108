# The README's commands. CI (.ci/run) calls the same targets.
PY      ?= python3
VENV    := .venv
VPY     := $(VENV)/bin/python
DATA    ?= ../shared/data
OUT     ?= demo_out
PEER    := .peer-venv

.PHONY: venv build demo test lint fmt bench peer ci clean

$(VENV)/.stamp: pyproject.toml
	$(PY) -m venv $(VENV)
	$(VPY) -m pip install -q --upgrade pip
	$(VPY) -m pip install -q "maturin>=1.9.4,<2"
	$(VPY) -c "import tomllib; p = tomllib.load(open('pyproject.toml', 'rb'))['project']; \
	  o = p['optional-dependencies']; print('\n'.join(p['dependencies'] + o['ml'] + o['dask'] + o['test']))" \
	  > $(VENV)/requirements.txt
	$(VPY) -m pip install -q -r $(VENV)/requirements.txt
	touch $@

venv: $(VENV)/.stamp

build: venv  ## release build of geniml._core into the venv (editable install)
	VIRTUAL_ENV=$(abspath $(VENV)) $(VENV)/bin/maturin develop --release -q

demo: build  ## the main job on real data from ../shared/data
	$(VPY) -m geniml.demo --data $(DATA) --out $(OUT)

test: build  ## the test suite (what CI runs)
	$(VPY) -m pytest -q

lint: venv
	cargo fmt --all --check
	cargo clippy --workspace --all-targets -- -D warnings
	cargo test --workspace --exclude geniml-py
	$(VENV)/bin/ruff check python tests benches
	$(VENV)/bin/ruff format --check python tests benches

fmt:
	cargo fmt --all
	$(VENV)/bin/ruff format python tests benches
	$(VENV)/bin/ruff check --fix python tests benches

peer:  ## the peers (upstream geniml, gtars, gensim, bedtools) in their own venv
	bash $(DATA)/../tools/peer-venv.sh $(PEER)

bench: build peer  ## side-by-side benchmarks against the peers
	$(VPY) benches/run_all.py --peer-python $(PEER)/bin/python

clean:
	rm -rf $(VENV) target $(OUT)
