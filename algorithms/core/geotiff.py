"""Single-band float32 GeoTIFF density rasters with metadata tags (values per m², so sum x pixel area is a count)."""
from dataclasses import dataclass, field

import numpy as np

from .errors import InputError
from .grid import Grid
from .optional import require


@dataclass
class Density:
    """A density raster: ``values`` per m² on ``grid``, plus its tags.

    tags: text key -> value; by convention KIND (e.g. 'PR density', 'client density'), UNITS
    ('PRs/m2', 'clients/m2'), TOTAL (whole mass including what lies outside the extent) and
    MASS_OUTSIDE, plus model parameters.
    """

    values: np.ndarray
    grid: Grid
    tags: dict = field(default_factory=dict)

    def mass(self):
        """Mass inside the extent: sum(values) x pixel area."""
        return float(np.sum(self.values, dtype=np.float64) * self.grid.cell_area)

    def recorded_total(self):
        """The TOTAL tag if present, else the mass inside the extent."""
        try:
            return float(self.tags["TOTAL"])
        except (KeyError, ValueError):
            return self.mass()


def write_density(path, density):
    """Write ``density`` as a tiled, deflate-compressed float32 GeoTIFF with its tags."""
    rasterio = require("rasterio")
    try:
        with rasterio.open(path, "w", **_profile(density.grid)) as dst:
            _fill(dst, density)
    except (rasterio.errors.RasterioIOError, OSError) as error:
        raise InputError(f"cannot write the raster '{path}' ({error}); check that its folder exists and is "
                         "writable.") from None


def density_bytes(density):
    """The GeoTIFF ``write_density`` would write, as bytes (made in memory, e.g. by a worker process that
    cannot see the output folder)."""
    memory = require("rasterio.io")
    with memory.MemoryFile() as buffer:
        with buffer.open(**_profile(density.grid)) as dst:
            _fill(dst, density)
        return buffer.read()


def stored(density):
    """``density`` as a tool downstream reads it back from the GeoTIFF ``write_density`` makes: float32 values
    (as float64) and text tags, without writing the file."""
    values = np.asarray(density.values, dtype=np.float32).astype(np.float64)
    return Density(values, density.grid, {k: str(v) for k, v in density.tags.items()})


def _profile(grid):
    from rasterio.transform import Affine
    return dict(driver="GTiff", width=grid.width, height=grid.height, count=1, dtype="float32",
                crs=grid.crs or None, transform=Affine.from_gdal(*grid.transform()),
                compress="deflate", predictor=3, tiled=grid.width >= 256 and grid.height >= 256)


def _fill(dst, density):
    dst.write(np.asarray(density.values, dtype=np.float32), 1)
    dst.update_tags(**{k: str(v) for k, v in density.tags.items()})
    dst.set_band_description(1, str(density.tags.get("KIND", "density")))
    dst.set_band_unit(1, str(density.tags.get("UNITS", "")))


def read_density(path):
    """Read band 1 of a north-up raster with square pixels as a Density (float64 values)."""
    rasterio = require("rasterio")
    try:
        with rasterio.open(path) as src:
            transform = src.transform
            if transform.b != 0 or transform.d != 0:
                raise InputError(f"{path}: the raster is rotated; warp it to a north-up grid first.")
            if abs(abs(transform.a) - abs(transform.e)) > 1e-6 * abs(transform.a):
                raise InputError(f"{path}: pixels are {transform.a} x {-transform.e}; "
                                 "density tools need square pixels.")
            values = src.read(1, masked=True).filled(0).astype(np.float64)
            crs = src.crs.to_wkt() if src.crs else ""
            grid = Grid(transform.c, transform.f, transform.a, src.width, src.height, crs)
            return Density(values, grid, dict(src.tags()))
    except rasterio.errors.RasterioIOError as error:
        raise InputError(f"Cannot read the raster '{path}': {error}") from None
