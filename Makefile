# The README's commands. CI (.ci/run) calls the same targets.
PY      ?= python3
VENV    := .venv
VPY     := $(VENV)/bin/python
DATA    ?= ../shared/data
OUT     ?= demo_out
PEER    := .peer-venv

.PHONY: venv build demo test lint fmt bench peer ci clean fuzz wheel wheel-check min-deps docs

$(VENV)/.stamp: pyproject.toml
	$(PY) -m venv $(VENV)
	$(VPY) -m pip install -q --upgrade pip
	$(VPY) -m pip install -q "maturin>=1.9.4,<2"
	$(VPY) -c "import tomllib; p = tomllib.load(open('pyproject.toml', 'rb'))['project']; \
	  o = p['optional-dependencies']; print('\n'.join(p['dependencies'] + o['ml'] + o['dask'] + o['test'] + o['search'] + o['docs'] + o['hf']))" \
	  > $(VENV)/requirements.txt
	$(VPY) -m pip install -q -r $(VENV)/requirements.txt
	touch $@

venv: $(VENV)/.stamp

build: venv  ## release build of geniml._core into the venv (editable install)
	VIRTUAL_ENV=$(abspath $(VENV)) $(VENV)/bin/maturin develop --release -q

demo: build  ## the main job on real data from ../shared/data (`geniml demo` alone: bundled data)
	$(VPY) -m geniml.demo --data $(DATA) --out $(OUT) --force

test: build  ## the test suite (what CI runs)
	$(VPY) -m pytest -q

lint: venv
	cargo fmt --all --check
	cargo clippy --workspace --all-targets -- -D warnings
	cargo test --workspace --exclude geniml-py
	$(VENV)/bin/ruff check python tests benches
	$(VENV)/bin/ruff format --check python tests benches
	$(VPY) -m mypy.stubtest geniml._core --allowlist .stubtest-allowlist
	$(VPY) -m mypy python/geniml

fmt:
	cargo fmt --all
	$(VENV)/bin/ruff format python tests benches
	$(VENV)/bin/ruff check --fix python tests benches

peer:  ## the peers (upstream geniml, gtars, gensim, bedtools) in their own venv
	bash $(DATA)/../tools/peer-venv.sh $(PEER)

FUZZ_SECONDS ?= 60
fuzz:  ## fuzz the BED reader for FUZZ_SECONDS (stable Rust, corpus ../shared/data)
	cargo run --release -q -p geniml-fuzz -- --seconds $(FUZZ_SECONDS) --corpus ../shared/data

bench: build peer  ## side-by-side benchmarks against the peers
	$(VPY) benches/run_all.py --peer-python $(PEER)/bin/python
	cargo run -q --release -p geniml-core --example parse_timing -- \
	  $(DATA)/fragments/TCD8EM_S_1001.fragments.bed.gz
	cargo run -q --release -p geniml-core --example tokenize_timing -- \
	  $(DATA)/universes/geniml_universe_hg38.uniq.bed $(DATA)/bedsets/geniml_hg38_sample/DRX127657.05.bed

# manylinux2014 (glibc 2.17) abi3 wheel, linked with zig from the PyPI `ziglang` package (no
# network at build time once the venv exists). The plain release profile: CI compiles it once more.
wheel: venv  ## release wheel in dist/ that installs on glibc >= 2.17
	$(VPY) -m pip install -q "ziglang>=0.11,<1"
	rm -rf dist
	PATH=$(abspath $(VENV))/bin:$$PATH $(VENV)/bin/maturin build --release --zig \
	  --compatibility manylinux2014 --interpreter $(VPY) -o dist -q

wheel-check:  ## (after `make wheel`) tag, contents, install into a clean venv, smoke test
	$(VPY) .ci/check_wheel.py dist

min-deps:  ## (after `make wheel`) core tests against the minimum versions of the core dependencies
	bash .ci/min_deps.sh $(PY)

docs: build  ## the API reference site (mkdocs + mkdocstrings, strict) in site/
	$(VENV)/bin/mkdocs build --strict -q

clean:
	rm -rf $(VENV) target $(OUT) dist site
