# WiFi Client Density — set-up, tests, demo and packaging on Debian 12 (QGIS 3.22) or 13 (QGIS 3.40, or 3.44 from
# trixie-backports).
SHELL := /bin/bash
VENV := .venv
PY := $(VENV)/bin/python
export PROJ_DATA ?= /usr/share/proj
export QT_QPA_PLATFORM ?= offscreen
export XDG_RUNTIME_DIR ?= /tmp/runtime-$(shell id -u)
PLUGIN_FILES := __init__.py metadata.txt LICENSE README.md algorithms plugin resources
# the science's unit tests run with QGIS made unimportable (devtools/no_qgis), so they cannot lean on it
UNIT := PYTHONPATH=devtools/no_qgis $(PY) -m pytest -p no:pytest_qgis -W ignore::pytest.PytestConfigWarning tests/unit
WITH_QGIS := $(PY) -m pytest tests/integration tests/realdata

.PHONY: setup test test-qgis unit lint demo package bench clean
setup: $(VENV)/.ready

$(VENV)/.ready: Makefile devtools/setup-debian.sh
	devtools/setup-debian.sh
	/usr/bin/python3 -m venv --system-site-packages $(VENV)
	$(PY) -m pip install -q "pytest>=7,<9" "pytest-qgis>=2,<3" "ruff==0.8.4"
	@mkdir -p $(XDG_RUNTIME_DIR) && chmod 700 $(XDG_RUNTIME_DIR)
	touch $@

test: setup
	$(UNIT)
	$(WITH_QGIS)

# the tests that run QGIS (all but the science's unit tests, which never import it)
test-qgis: setup
	$(WITH_QGIS)

unit: setup
	$(UNIT)

lint: setup
	$(VENV)/bin/ruff check .

demo: setup
	cd devtools && ../$(PY) demo.py ../demo_output

bench: setup
	for b in bench/bench_*.py; do $(PY) $$b || exit 1; done

package: build/wifidensity.zip

build/wifidensity.zip: $(shell git ls-files $(PLUGIN_FILES) 2>/dev/null)
	rm -rf build/wifidensity && mkdir -p build/wifidensity
	git ls-files $(PLUGIN_FILES) | grep -v -E '(^|/)(tests|bench)/|__pycache__|\.pyc$$' \
	  | tar -cf - -T - | tar -xf - -C build/wifidensity
	cd build && rm -f wifidensity.zip && python3 -m zipfile -c wifidensity.zip wifidensity
	@echo "Built $@ (QGIS: Plugins > Manage and Install Plugins > Install from ZIP)"

clean:
	rm -rf build demo_output .pytest_cache
