"""Renormalization (paper §4.3, applied in §5.1.3): confine a PR density to the decision region.

Every pixel outside the region (minus exclusion zones) is zeroed and the mass removed, plus the mass that
lay outside the raster's extent, is re-injected inside, so the region holds the total PR mass.
"""
from dataclasses import dataclass

import numpy as np

from ..core.errors import InputError
from ..core.geotiff import Density

PROPORTIONAL = "proportional"
UNIFORM = "uniform"
MODES = (PROPORTIONAL, UNIFORM)


@dataclass
class Renormalized:
    """The confined density, the total it holds and the mass re-injected (total minus mass already inside)."""

    density: Density
    total: float
    mass_moved: float


def renormalize(density, inside, mode=PROPORTIONAL, total=None):
    """Confine ``density`` to the boolean mask ``inside`` so that it holds ``total``.

    mode: 'proportional' scales the density inside (re-injects where PRs already are), 'uniform' spreads the
    re-injected mass evenly over the region. total: default the raster's recorded TOTAL (PR mass including
    what fell outside the extent).
    """
    if mode not in MODES:
        raise InputError(f"MODE '{mode}' is unknown; use one of {', '.join(MODES)}.")
    inside = np.asarray(inside, dtype=bool)
    if inside.shape != density.values.shape:
        raise InputError(f"The region mask is {inside.shape}, the raster {density.values.shape}.")
    if not inside.any():
        raise InputError("The region does not contain any pixel centre of the raster.")
    total = density.recorded_total() if total is None else float(total)
    if not (np.isfinite(total) and total >= 0):
        raise InputError(f"TOTAL = {total:g} must be zero or a positive number of PRs.")
    area = density.grid.cell_area
    kept = np.where(inside, density.values, 0.0)
    kept_mass = float(np.sum(kept, dtype=np.float64) * area)
    moved = total - kept_mass
    if mode == PROPORTIONAL:
        if kept_mass <= 0:
            if total > 0:
                raise InputError("The density is zero everywhere in the region, so there is nothing to scale "
                                 "proportionally; use MODE uniform or check that the region covers the PRs.")
            values = kept
        else:
            values = kept * (total / kept_mass)
    else:
        values = kept + np.where(inside, moved / (inside.sum() * area), 0.0)
        if values.min() < 0:
            raise InputError(f"TOTAL = {total:g} is below the mass already in the region ({kept_mass:g}); a uniform "
                             f"removal would make densities negative. Use MODE proportional or a larger TOTAL.")
    tags = dict(density.tags, TOTAL=total, MASS_OUTSIDE=0.0, RENORMALIZED=mode, MASS_MOVED=moved)
    return Renormalized(Density(values, density.grid, tags), total, moved)
