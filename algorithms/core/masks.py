"""Polygons to boolean pixel masks: a pixel belongs to a polygon when its centre lies inside it.

Pure numpy scanline filling (no rasterio needed; even-odd rule per polygon, so holes work; polygons are
OR-ed, so overlaps do not cancel). Accepts shapely 1.8 or 2.x geometries (Polygon, MultiPolygon, GeometryCollection).
"""
import numpy as np

from .errors import InputError


def _polygons(geometry):
    """The Polygon parts of a geometry, whatever its collection type."""
    if geometry is None or geometry.is_empty:
        return []
    if geometry.geom_type == "Polygon":
        return [geometry]
    if hasattr(geometry, "geoms"):
        return [part for member in geometry.geoms for part in _polygons(member)]
    return []


def _rings(polygon):
    return [np.asarray(polygon.exterior.coords)[:, :2]] + [np.asarray(r.coords)[:, :2] for r in polygon.interiors]


def _polygon_mask(polygon, grid):
    """Centres inside one polygon: count edge crossings of each row's centre line left of every centre."""
    toggles = np.zeros((grid.height, grid.width + 1), dtype=np.int32)
    ys = grid.y_max - (np.arange(grid.height) + 0.5) * grid.pixel
    for ring in _rings(polygon):
        (x0, y0), (x1, y1) = ring[:-1].T, ring[1:].T
        low, high = np.minimum(y0, y1), np.maximum(y0, y1)
        # rows whose centre line y satisfies low <= y < high (half-open: a vertex is crossed once)
        first = np.ceil((grid.y_max - high) / grid.pixel - 0.5).astype(np.int64)
        last = np.floor((grid.y_max - low) / grid.pixel - 0.5).astype(np.int64)
        first = np.clip(first, 0, grid.height)
        last = np.clip(last, -1, grid.height - 1)
        count = np.maximum(last - first + 1, 0)
        edge = np.repeat(np.arange(len(x0)), count)
        row = first[edge] + np.arange(count.sum()) - np.repeat(np.cumsum(count) - count, count)
        y = ys[row]
        keep = (y >= low[edge]) & (y < high[edge])
        edge, row, y = edge[keep], row[keep], y[keep]
        x = x0[edge] + (y - y0[edge]) * (x1[edge] - x0[edge]) / (y1[edge] - y0[edge])
        col = np.clip(np.ceil((x - grid.x_min) / grid.pixel - 0.5), 0, grid.width).astype(np.int64)
        np.add.at(toggles, (row, col), 1)
    return (np.cumsum(toggles, axis=1)[:, :grid.width] & 1).astype(bool)


def polygon_mask(geometry, grid):
    """Boolean (height x width) array of the pixels of ``grid`` whose centre lies in ``geometry`` (shapely)."""
    mask = np.zeros(grid.shape, dtype=bool)
    for polygon in _polygons(geometry):
        mask |= _polygon_mask(polygon, grid)
    return mask


def polygons_mask(geometries, grid):
    """The pixels whose centre lies in any of ``geometries``."""
    mask = np.zeros(grid.shape, dtype=bool)
    for geometry in geometries:
        mask |= polygon_mask(geometry, grid)
    return mask


def region_mask(region, grid, exclusions=(), name="REGION"):
    """Pixels in ``region`` polygons and not in ``exclusions``; InputError if that leaves no pixel.

    ``name`` is the parameter named in the error messages.
    """
    region = [g for g in region if _polygons(g)]
    if not region:
        raise InputError(f"{name} has no polygon (the layer is empty or its geometries are empty/not polygons).")
    inside = polygons_mask(region, grid)
    if not inside.any():
        raise InputError(f"{name} does not cover the centre of any pixel of the raster: it misses the raster's "
                         f"extent or is smaller than a pixel. Check that both are in the same CRS and overlap.")
    inside &= ~polygons_mask(exclusions, grid)
    if not inside.any():
        raise InputError(f"The exclusion zones cover all of {name}: nothing is left to hold the density.")
    return inside
