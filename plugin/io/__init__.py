"""Data in and out of Processing: attribute tables as columns, probe and radio tables, access points and
polygons, density rasters, fast table writers and where outputs go."""
