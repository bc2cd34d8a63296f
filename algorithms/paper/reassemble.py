"""Reassembly (the Re-assembly Tool of paper §1.6, Figure 19).

Client density = sum of PR pieces / X (a per-zone X for the position piece), then mass-preserving smoothing.

Pieces must share CRS and pixel size. Pieces whose pixels sit on the same lattice but cover different
extents are summed on the union of their extents (no resampling, so mass is kept exactly); anything else is
an InputError asking the user to align them (QGIS: Raster > Align Rasters) — resampling would move mass.
"""
from dataclasses import dataclass

import numpy as np

from ..core.errors import InputError
from ..core.geotiff import Density
from ..core.grid import Grid
from ..core.masks import polygon_mask
from ..core.optional import require
from ..core.smoothing import smooth
from ..counting.zones import zones_from_polygons

UNITS = "clients/m2"
KIND = "client density"
WHOLE_MAP = "total (whole map)"  # the zone name of a summary's row for the whole map


def _same_crs(a, b):
    if not a or not b or a == b:
        return True
    try:
        crs = require("pyproj").CRS
        return crs.from_user_input(a) == crs.from_user_input(b)
    except Exception:  # an unparsable CRS text: fall back to the text comparison above having failed
        return False


def common_grid(grids, names):
    """The union grid of grids that share CRS, pixel size and pixel lattice; InputError naming the misfit."""
    first = grids[0]
    for grid, name in zip(grids[1:], names[1:]):
        if not _same_crs(first.crs, grid.crs):
            raise InputError(f"{name} is in a different CRS from {names[0]}; reproject it (Warp) onto the same "
                             f"grid before reassembly.")
        if abs(grid.pixel - first.pixel) > 1e-6 * first.pixel:
            raise InputError(f"{name} has {grid.pixel:g} m pixels, {names[0]} {first.pixel:g} m; all pieces need "
                             f"the same pixel size (make them with the same PIXEL_SIZE).")
        shift = np.array([grid.x_min - first.x_min, grid.y_max - first.y_max]) / first.pixel
        if np.any(np.abs(shift - np.round(shift)) > 1e-6):
            raise InputError(f"The pixels of {name} are offset from those of {names[0]} by a fraction of a pixel; "
                             f"align them (Raster > Align Rasters) or make them with the same EXTENT.")
    x_min = min(g.x_min for g in grids)
    y_max = max(g.y_max for g in grids)
    x_max = max(g.bounds[2] for g in grids)
    y_min = min(g.bounds[1] for g in grids)
    pixel = first.pixel
    crs = next((g.crs for g in grids if g.crs), "")
    return Grid(x_min, y_max, pixel, int(round((x_max - x_min) / pixel)), int(round((y_max - y_min) / pixel)), crs)


def on_grid(density, grid):
    """The values of ``density`` placed on a larger grid of the same lattice (zeros elsewhere)."""
    col = int(round((density.grid.x_min - grid.x_min) / grid.pixel))
    row = int(round((grid.y_max - density.grid.y_max) / grid.pixel))
    out = np.zeros(grid.shape)
    out[row:row + density.grid.height, col:col + density.grid.width] = density.values
    return out


def check_x(x, name="X"):
    if not (np.isfinite(x) and x > 0):
        raise InputError(f"{name} = {x:g} must be a positive number of PRs per client (e.g. 65 for 3 h windows).")
    return float(x)


@dataclass
class ZoneX:
    """Per-zone X for the position-dependent piece: zone polygons (shapely) and their X; first zone wins."""

    geometries: list
    x: list


def zone_x_from(geometries, x_values, field="x"):
    """ZoneX of zones with their X (e.g. the Counting tool's zone table): one X per polygon, read from ``field``."""
    if not len(geometries):
        raise InputError("ZONES_X has no polygon with a geometry.")
    x = []
    for row, value in enumerate(x_values):
        try:
            x.append(float(value))
        except (TypeError, ValueError):
            raise InputError(f"Zone {row + 1}: the X field '{field}' holds '{value}', which is not a number. "
                             "Choose the field with each zone's X (the Counting tool's 'x').") from None
    return ZoneX(list(geometries), x)


def zone_x_raster(zone_x, grid, default_x):
    """X per pixel: a zone's X inside it (the first listed zone where zones overlap), ``default_x`` elsewhere."""
    per_pixel = np.full(grid.shape, float(default_x))
    assigned = np.zeros(grid.shape, dtype=bool)
    for index, (geometry, x) in enumerate(zip(zone_x.geometries, zone_x.x)):
        mask = polygon_mask(geometry, grid) & ~assigned
        per_pixel[mask] = check_x(x, f"X of zone {index + 1}")
        assigned |= mask
    return per_pixel


def clients(pieces, x, position_piece=None, zone_x=None, names=None):
    """Client density (clients/m²): sum(piece / X) + position_piece / X_zone, on the pieces' union grid."""
    x = check_x(x)
    everything = list(pieces) + ([position_piece] if position_piece is not None else [])
    if not everything:
        raise InputError("PIECES is empty: give at least one PR density raster.")
    names = names or [f"piece {i + 1}" for i in range(len(everything))]
    grid = common_grid([p.grid for p in everything], names)
    values = np.zeros(grid.shape)
    outside = 0.0
    for piece in pieces:
        values += on_grid(piece, grid) / x
        outside += mass_outside(piece) / x
    if position_piece is not None:
        per_pixel = zone_x_raster(zone_x, grid, x) if zone_x is not None else x
        values += on_grid(position_piece, grid) / per_pixel
        outside += mass_outside(position_piece) / x
    density = Density(values, grid, {"KIND": KIND, "UNITS": UNITS, "X": x, "MASS_OUTSIDE": outside})
    density.tags["TOTAL"] = density.mass() + outside
    return density


def mass_outside(piece):
    """The MASS_OUTSIDE tag of a density (mass beyond its extent), 0 when absent."""
    try:
        return float(piece.tags.get("MASS_OUTSIDE", 0.0))
    except ValueError:
        return 0.0


def smoothed(density, sigma_m, domain=None):
    """The client map smoothed with a mass-keeping Gaussian of ``sigma_m`` metres (0: none), confined to the
    boolean pixel mask ``domain`` when given (core.smoothing)."""
    if not (np.isfinite(sigma_m) and sigma_m >= 0):
        raise InputError(f"SMOOTH = {sigma_m:g} m must be zero (no smoothing) or a positive number of metres.")
    values = smooth(density.values, sigma_m / density.grid.pixel, domain)
    return Density(values, density.grid, dict(density.tags, SMOOTH=sigma_m))


def zone_summary(density, shapes, names):
    """Per zone (shapely polygons, names): clients (mass of the pixels whose centre is inside) and area (m²)."""
    zones = zones_from_polygons(shapes, names, density.grid)
    return [{"zone": str(name), "area_m2": float(area), "clients": float(mass)}
            for name, area, mass in zip(zones.names, zones.areas(), zones.masses(density))]
