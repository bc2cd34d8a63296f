"""The Counting tool's results: site totals by every method and the per-zone table (paper §4.4 and §6.1.3)."""
from dataclasses import dataclass, field

import numpy as np

from ..core.errors import InputError
from .counting import (
    GLOBAL_METHODS,
    POSITION,
    STRAWMAN,
    check_parts,
    clients,
    global_x,
    position_x,
    window_x,
)

METHODS = GLOBAL_METHODS + (POSITION,)


@dataclass
class SiteCount:
    """X and clients of the whole site by each method that the inputs allow; ``method`` is the chosen one.

    For the position method the site X is that of its base method (position only redistributes X over zones).
    """

    method: str
    x12: float
    x: dict
    clients: dict
    base: str = STRAWMAN

    @property
    def chosen_x(self):
        return self.x[self.base if self.method == POSITION else self.method]

    @property
    def chosen_clients(self):
        return self.clients[self.base if self.method == POSITION else self.method]


def count_site(p, by_k, x_day, hours, method, base=STRAWMAN):
    """Site totals by the chosen method (and the position method's base), and by every other global method whose
    inputs are all given: legacy always, strawman with P3, multiplicity with P1, P2 and P3 (counting.check_parts).

    Inputs the chosen method needs but that look missing are refused; another method that lacks its inputs is left
    out (with P3 alone, the paper's inputs, multiplicity would take every PR for a 3-AP one).
    """
    if method not in METHODS:
        raise InputError(f"METHOD '{method}' is unknown; use one of {', '.join(METHODS)}.")
    if base not in GLOBAL_METHODS:
        raise InputError(f"The position method's base must be one of {', '.join(GLOBAL_METHODS)}, not '{base}'.")
    x12 = window_x(x_day, hours)
    chosen = (POSITION, base) if method == POSITION else (method,)
    for name in chosen:
        check_parts(name, p, by_k)
    wanted = [m for m in GLOBAL_METHODS if m in chosen or _consistent(m, p, by_k)]
    xs = {m: global_x(m, x12, p, by_k) for m in wanted}
    return SiteCount(method, x12, xs, {m: clients(p, x) for m, x in xs.items()}, base)


def _consistent(method, p, by_k):
    try:
        check_parts(method, p, by_k)
    except InputError:
        return False
    return True


@dataclass
class ZoneTable:
    """Per-zone columns (name -> array) for the output layer, and the zones the position method capped."""

    columns: dict
    clamped: list = field(default_factory=list)


def zone_table(site, zones, density, p3, points_xy=None):
    """Area, PR mass, localizations, and X and clients by each method for each zone.

    ``points_xy``: localization points (n x 2) in the grid's CRS, needed for the position method; N is all of
    them, so points outside every zone keep their share of P3 out of the zones.
    """
    prs = zones.masses(density)
    if not np.any(prs > 0):
        raise InputError("No zone covers any PR mass of the DENSITY raster: the zones and the raster do not "
                         "overlap (check that both are of the same site and CRS).")
    columns = {"zone": np.array(zones.names, dtype=object), "area_m2": zones.areas(), "prs": prs}
    clamped = []
    per_method = {m: np.full(len(zones), x) for m, x in site.x.items()}
    if points_xy is not None:
        located = zones.localizations(points_xy)
        columns["localizations"] = located
        position = position_x(site.x12, prs, located, len(np.asarray(points_xy).reshape(-1, 2)), p3,
                              site.x[site.base])
        per_method[POSITION] = position.x
        clamped = [zones.names[i] for i in position.clamped]
    elif site.method == POSITION:
        raise InputError("The position method needs the localization POINTS (output of the Localization tool).")
    chosen = per_method[site.method]
    columns["x"] = chosen
    columns["clients"] = prs / chosen
    for method, xs in per_method.items():
        columns[f"x_{method}"] = xs
        columns[f"clients_{method}"] = prs / xs
    return ZoneTable(columns, clamped)
