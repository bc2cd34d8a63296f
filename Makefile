# WiFi Client Density — set-up, tests, demo and packaging on Debian 12 (QGIS 3.22 from Debian).
SHELL := /bin/bash
VENV := .venv
PY := $(VENV)/bin/python
DEBIAN_PACKAGES := qgis python3-qgis qgis-providers python3-scipy python3-shapely python3-rasterio \
	python3-pyproj xvfb
export PROJ_DATA ?= /usr/share/proj
export QT_QPA_PLATFORM ?= offscreen
export XDG_RUNTIME_DIR ?= /tmp/runtime-$(shell id -u)
PLUGIN_FILES := __init__.py metadata.txt LICENSE README.md algorithms plugin resources

.PHONY: setup test demo package bench clean
setup: $(VENV)/.ready

$(VENV)/.ready: Makefile
	@if ! /usr/bin/python3 -c "import qgis.core, scipy, shapely, rasterio, pyproj" 2>/dev/null \
	   || ! command -v qgis_process.bin >/dev/null; then \
	  echo "Installing QGIS and the scientific Python packages from Debian..."; \
	  $(if $(filter 0,$(shell id -u)),,sudo) apt-get update -qq && \
	  DEBIAN_FRONTEND=noninteractive $(if $(filter 0,$(shell id -u)),,sudo) \
	    apt-get install -y -qq --no-install-recommends $(DEBIAN_PACKAGES); \
	fi
	/usr/bin/python3 -m venv --system-site-packages $(VENV)
	$(PY) -m pip install -q "pytest>=7,<9" "pytest-qgis>=2,<3"
	@mkdir -p $(XDG_RUNTIME_DIR) && chmod 700 $(XDG_RUNTIME_DIR)
	touch $@

test: setup
	$(PY) -m pytest

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
