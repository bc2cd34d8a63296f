"""Drill-Down (paper §5.1.4): cap a density at a threshold T, keep the peaks as a second piece.

capped = min(v, T) and peaks = v - capped, so capped + peaks == v. T is given, or solved exactly so the capped
raster retains a fraction RETAIN of the mass (paper: 90 % Site 1, 99.7 % Site 2).
"""
from dataclasses import dataclass

import numpy as np

from ..core.errors import InputError
from ..core.geotiff import Density
from .reassemble import mass_outside


class RetentionCurve:
    """Retained mass as a function of T, for solving T from RETAIN many times (e.g. a GUI slider).

    Sorting once makes each solve a binary search: with the values ascending v_1 <= ... <= v_n and
    cumulative sums S_k, capping at T in [v_k, v_k+1] retains area * (S_k + (n - k) T), linear in T.
    """

    def __init__(self, values, cell_area):
        values = np.asarray(values, dtype=np.float64).ravel()
        if not np.all(np.isfinite(values)):
            raise InputError("The raster holds non-numeric cells (NaN/inf); fill them with 0 first.")
        if values.size and values.min() < 0:
            raise InputError(f"The raster holds negative densities (min {values.min():g}); "
                             f"Drill-Down needs a density (>= 0).")
        self._sorted = np.sort(values)
        self._below = np.concatenate([[0.0], np.cumsum(self._sorted)])
        self._area = cell_area
        count = self._sorted.size
        # retained mass when T equals each sorted value
        self._at_value = cell_area * (self._below[:-1] + (count - np.arange(count)) * self._sorted)
        self.mass = cell_area * self._below[-1]

    def retained(self, threshold):
        """Mass kept by capping at ``threshold``."""
        k = np.searchsorted(self._sorted, threshold, side="right")
        return float(self._area * (self._below[k] + (self._sorted.size - k) * threshold))

    def threshold(self, retain):
        """The T that keeps the fraction ``retain`` in (0, 1] of the mass (the largest value at 1)."""
        if not (np.isfinite(retain) and 0 < retain <= 1):
            raise InputError(f"RETAIN = {retain:g} must be a fraction in (0, 1], e.g. 0.9 to keep 90 % of the mass.")
        if self.mass <= 0:
            raise InputError("The raster holds no mass (all zero); there is nothing to drill down.")
        if retain == 1:
            return float(self._sorted[-1])
        target = retain * self.mass
        k = int(np.searchsorted(self._at_value, target, side="right"))  # T lies in [v_(k-1), v_k)
        k = min(k, self._sorted.size - 1)  # rounding can put a target just below the mass past the end
        return float((target / self._area - self._below[k]) / (self._sorted.size - k))


def cap(values, threshold):
    """(capped, peaks, T) in the dtype of ``values`` (float32 for GeoTIFF outputs): min(v, T), v - min(v, T).

    For capped + peaks to equal v exactly, v - T must be exact for every v > T. It is when T is a multiple
    of the spacing of floats at the largest value (then v - T is a multiple of the spacing at v, below v), so
    T is rounded down to such a multiple (a relative change of about max(v) / T * 1e-7 in float32). The T
    actually used is returned.
    """
    values = np.asarray(values)
    if not (np.isfinite(threshold) and threshold >= 0):
        raise InputError(f"THRESHOLD = {threshold:g} must be a density >= 0 (same units as the raster).")
    kind = values.dtype.type
    top = values.max() if values.size else kind(0)
    if threshold < top:
        spacing = np.spacing(top)
        threshold = kind(np.floor(kind(threshold) / spacing) * spacing)
    threshold = kind(threshold)
    capped = np.minimum(values, threshold)
    return capped, values - capped, threshold


@dataclass
class DrillDown:
    """The two pieces of a drill-down: ``capped`` min(v, T) (it carries the mass that lay beyond the extent:
    that is no peak) and ``peaks`` v - min(v, T), the T used, the fraction of the mass retained under it and
    how many pixels exceed it."""

    capped: Density
    peaks: Density
    threshold: float
    retained: float
    above: int


def drill_down(density, retain=0.9, threshold=None):
    """Cap ``density`` (a core.geotiff.Density) at ``threshold``, or at the T that retains ``retain`` of its mass.

    Works on the float32 values the GeoTIFF outputs hold, so the two pieces add back to them exactly.
    """
    values = np.asarray(density.values).astype(np.float32)
    curve = RetentionCurve(values, density.grid.cell_area)
    if threshold is None:
        threshold = curve.threshold(retain)
    capped, peaks, used = cap(values, threshold)
    kind = density.tags.get("KIND", "density")

    def piece(part, values):
        return Density(values, density.grid, dict(density.tags, KIND=f"{kind}, {part} at T",
                                                  DRILLDOWN_THRESHOLD=float(used)))
    kept, top = piece("capped", capped), piece("peaks", peaks)
    outside = mass_outside(density)
    kept.tags.update(TOTAL=kept.mass() + outside, MASS_OUTSIDE=outside)
    top.tags.update(TOTAL=top.mass(), MASS_OUTSIDE=0.0)
    retained = kept.mass() / curve.mass if curve.mass > 0 else 1.0
    return DrillDown(kept, top, float(used), retained, int((values > used).sum()))
