"""Stands in for PyQt5 while the science's unit tests run: they must not need QGIS or Qt."""
raise ImportError("PyQt5 is blocked: algorithms/ and its unit tests run without QGIS (see the Makefile's unit target)")
