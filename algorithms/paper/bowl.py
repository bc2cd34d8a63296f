"""Bowl density (paper §4.2, Figure 3): every PR is a ring of one PR around the AP that heard it.

The ring of a PR at RSS r is centred on its AP with radius d_rssi = 10^((A - r) / (10 n)) and width
sigma_d = d_rssi ln(10) sigma_RSS / (10 n) (pathloss.py), normalised by its exact integral over the plane
(radial.py). PRs are grouped by (AP, RSS) so the cost is O(APs x pixels) whatever the number of PRs.
"""
import numpy as np

from ..core.errors import InputError
from ..core.geotiff import Density
from ..core.grid import Grid
from ..core.progress import SILENT
from ..core.records import probe_ap_rows
from ..core.validation import check_rss
from .pathloss import (
    DEFAULT_A,
    DEFAULT_N,
    DEFAULT_SIGMA_RSS,
    check_model,
    distance_from_rss,
    distance_spread,
    without_gains,
)
from .radial import RingOperator

UNITS = "PRs/m2"
KIND = "PR density (bowl)"
DEFAULT_MARGIN = 50.0     # m around the APs' box: the default output extent of the raster tools
_EXACT_LEVELS = 2048      # more distinct RSS values than this at one AP: pool them on a lattice
_LATTICE_DB = 0.05        # lattice step; linear sharing keeps each PR's mass and mean RSS


def bowl_grid(ap_xy, pixel, margin, extent=None, crs=""):
    """The output grid: ``extent`` (x_min, y_min, x_max, y_max) if given, else the APs' box plus ``margin``."""
    if not (np.isfinite(margin) and margin >= 0):
        raise InputError(f"MARGIN = {margin:g} m must be zero or a positive number of metres.")
    if extent is None:
        ap_xy = np.asarray(ap_xy, dtype=float)
        if len(ap_xy) == 0:
            raise InputError("The AP layer has no access points; the bowl needs their positions.")
        (x_min, y_min), (x_max, y_max) = ap_xy.min(axis=0), ap_xy.max(axis=0)
        extent = (x_min - margin, y_min - margin, x_max + margin, y_max + margin)
    return Grid.covering(*extent, pixel=pixel, crs=crs)


def rss_levels(rss):
    """Distinct RSS values and how many PRs sit at each (pooled on a 0.05 dB lattice when very many)."""
    levels, counts = np.unique(rss, return_counts=True)
    if len(levels) <= _EXACT_LEVELS:
        return levels, counts.astype(float)
    position = rss / _LATTICE_DB
    low = np.floor(position)
    upper_share = position - low
    base = low.min()
    index = (low - base).astype(np.int64)
    weight = (np.bincount(index, 1.0 - upper_share, index.max() + 2)
              + np.bincount(index + 1, upper_share, index.max() + 2))
    used = np.flatnonzero(weight > 0)
    return (base + used) * _LATTICE_DB, weight[used]


def bowl(probe_ap_ids, rss, aps, grid, a=DEFAULT_A, n=DEFAULT_N, sigma_rss=DEFAULT_SIGMA_RSS, gains=None,
         progress=SILENT):
    """The bowl density (PRs/m²) on ``grid`` of PRs heard by ``aps`` (records.AccessPoints, metric CRS);
    gains: per-sensor gains (dB, one per AP of ``aps``, e.g. a radio table's) taken off each RSS first
    (pathloss.without_gains), or None."""
    check_model(a, n, sigma_rss)
    rss = check_rss(rss)
    rows = probe_ap_rows(probe_ap_ids, aps)
    rss = without_gains(rss, rows, gains)
    values = np.zeros(grid.shape)
    heard = np.unique(rows)
    for done, row in enumerate(heard):
        progress.step(done / len(heard))
        levels, weights = rss_levels(rss[rows == row])
        mu = distance_from_rss(levels, a, n)
        RingOperator(grid, aps.xy[row], mu, distance_spread(mu, sigma_rss, n)).forward(weights, out=values)
    progress.step(1.0)
    density = Density(values, grid, {"KIND": KIND, "UNITS": UNITS, "A": a, "N": n, "SIGMA_RSS": sigma_rss})
    total = float(len(rss))
    density.tags.update(TOTAL=total, MASS_OUTSIDE=total - density.mass())
    return density
