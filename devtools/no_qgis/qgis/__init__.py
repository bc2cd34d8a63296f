"""Stands in for qgis while the science's unit tests run: they must not need QGIS or Qt."""
raise ImportError("qgis is blocked: algorithms/ and its unit tests run without QGIS (see the Makefile's unit target)")
