"""The QGIS side of the plugin: provider, one algorithm per tool (algs), data in and out of Processing (io),
what the user sees of results (display) and desktop extras (gui)."""
