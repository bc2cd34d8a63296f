"""Stands in for processing while the science's unit tests run: they must not need QGIS or Qt."""
raise ImportError("processing is blocked: algorithms/ and its unit tests run without QGIS (see the Makefile's unit target)")
