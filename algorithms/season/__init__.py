"""One window through the whole pipeline (the paper's Figure 19, QGIS-free) and a season of windows in one run:
windows as tasks, here or on Dask, from a file read once or a PostgreSQL table, resumable."""
