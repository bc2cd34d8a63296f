"""The plumbing every tool shares: errors, progress and cancel, optional imports, column records, raster grids
and GeoTIFF density files, polygon masks, CRS choice, time parsing, input checks and MAC hashing."""
