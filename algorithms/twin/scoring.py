"""Scoring a client map against a simulation's truth (the site twin), so an analyst can pick the
convex layer, drill-down and method for their site before trusting a real map.

Three numbers: Pearson r between the estimated and the true client density, both smoothed with the same
mass-preserving Gaussian (default 10 m, core.smoothing.smooth) so that a client placed a few metres off still
counts as close; the relative error of the total (estimated clients including mass recorded outside the
extent, against the true count); and, with a polygon, the share of the clients inside it in both.
"""
from dataclasses import dataclass

import numpy as np

from ..core.errors import InputError
from ..core.masks import polygon_mask
from ..core.smoothing import smooth
from ..counting.zones import contains_xy

DEFAULT_SMOOTH = 10.0


@dataclass
class Score:
    """r: Pearson r after smoothing; estimated, true: client totals; total_error: (estimated - true) / true;
    share_estimated, share_true: shares of clients inside the polygon (NaN without one); true_outside: true
    clients outside the raster's extent (they count in the total, not in r)."""

    r: float
    estimated: float
    true: float
    total_error: float
    share_estimated: float
    share_true: float
    true_outside: int


def points_density(xy, grid):
    """Points per m² on ``grid`` (each point in the pixel containing it) and how many fell outside the extent."""
    xy = np.asarray(xy, dtype=float).reshape(-1, 2)
    col = np.floor((xy[:, 0] - grid.x_min) / grid.pixel).astype(np.int64)
    row = np.floor((grid.y_max - xy[:, 1]) / grid.pixel).astype(np.int64)
    inside = (col >= 0) & (col < grid.width) & (row >= 0) & (row < grid.height)
    counts = np.bincount(row[inside] * grid.width + col[inside], minlength=grid.width * grid.height)
    return counts.reshape(grid.shape) / grid.cell_area, int((~inside).sum())


def pearson_r(a, b):
    """Pearson correlation of two rasters (NaN when either is constant)."""
    a = np.asarray(a, dtype=float).ravel()
    b = np.asarray(b, dtype=float).ravel()
    a = a - a.mean()
    b = b - b.mean()
    norm = np.sqrt((a @ a) * (b @ b))
    return float(a @ b / norm) if norm > 0 else float("nan")


def score(density, truth_xy, smooth_m=DEFAULT_SMOOTH, polygon=None):
    """Score a client Density (clients/m²) against the true client positions ``truth_xy`` (n x 2, same CRS)."""
    truth_xy = np.asarray(truth_xy, dtype=float).reshape(-1, 2)
    if len(truth_xy) == 0:
        raise InputError("TRUTH has no client points: give the simulation's true clients layer.")
    if not (np.isfinite(smooth_m) and smooth_m >= 0):
        raise InputError(f"SMOOTH = {smooth_m:g} m must be zero or a positive number of metres.")
    grid = density.grid
    true_values, true_outside = points_density(truth_xy, grid)
    sigma = smooth_m / grid.pixel
    r = pearson_r(smooth(density.values, sigma), smooth(true_values, sigma))
    estimated = density.recorded_total()
    true_total = float(len(truth_xy))
    share_estimated = share_true = float("nan")
    if polygon is not None:
        share_true = float(np.count_nonzero(contains_xy(polygon, truth_xy[:, 0], truth_xy[:, 1]))) / true_total
        share_estimated = _share_inside(density, polygon)
    return Score(r, estimated, true_total, (estimated - true_total) / true_total, share_estimated, share_true,
                 true_outside)


def _share_inside(density, polygon):
    total = density.recorded_total()
    if total <= 0:
        return float("nan")
    inside = float(np.sum(density.values[polygon_mask(polygon, density.grid)], dtype=np.float64))
    return inside * density.grid.cell_area / total
