"""How good can a map of this AP layout be? A site twin of the user's own layout (beyond the paper).

The user's APs (positions, indoor flags) are simulated (twin/simulate.py) with the radio fitted on their own data
(A, n, sigma, per-sensor gains, reception probability, floor) for a few crowd shapes; the same estimator
(listmode_density.ml_listmode, same settings) maps each twin from scratch, radio included, and the map is
scored against the twin's outdoor clients (scoring.score: Pearson r after 10 m smoothing). The count errors
say what the window's total would be off by on that crowd: EMISSIONS / X with X the heard emissions per client
of the user's window (crowds the APs hear less are undercounted), and the estimator's own emissions made
(heard or not) over the emissions made per client. The spread of the radios refitted on the twins shows how
well this layout determines them.

Crowd shapes (fixed rules on the layout, nothing tuned to a capture):

- fitted: clients drawn from the user's own map (the crowd as estimated);
- one crowd: one crowd at the outdoor APs' centroid, spread a quarter of their box (simulate.centred_crowd);
- crowds at APs: three equal crowds beside three APs spread over the list, each spread half the distance
  between neighbouring APs (regularize.prior_sd);
- spread out: clients uniform over the outdoor APs' box.

Each twin has the user's number of clients (EMISSIONS / X) and the emissions per client that make X heard on
average at the user's site; indoor APs keep their flag and their PRs are left out, as the estimator does.
"""
from dataclasses import dataclass

import numpy as np

from ..core.errors import InputError
from ..core.progress import SILENT
from ..paper import regularize
from ..paper.pathloss import DEFAULT_N
from ..twin.scoring import score
from ..twin.simulate import OUTDOOR, RANDOMISING, SiteConfig, centred_crowd, simulate
from . import listmode_density
from .mldensity import client_density, without_indoor_aps

SHAPES = ("fitted", "one crowd", "crowds at APs", "spread out")


@dataclass
class Twin:
    """One twin: shape; clients (outdoor); r; count_error: (EMISSIONS / X - clients) / clients; made_error: the
    same with the estimator's emissions made over the emissions made per client; radio: the radio refitted on
    the twin; status: its calibration status."""

    shape: str
    clients: int
    r: float
    count_error: float
    made_error: float
    radio: object
    status: str


@dataclass
class SelfCheck:
    """twins (Twin per shape); r_min, r_median; count_error_max (largest absolute EMISSIONS / X error);
    a_spread, n_spread: standard deviation of the refitted A, n over the twins; message: the summary."""

    twins: list
    r_min: float
    r_median: float
    count_error_max: float
    a_spread: float
    n_spread: float
    message: str


def self_check(aps, radio, emissions_density, emissions, x, grid, shapes=SHAPES, n=DEFAULT_N, gains=True,
               seed=0, progress=SILENT):
    """Twins of ``aps`` (records.AccessPoints, indoor flags included) with ``radio`` (radio.Radio fitted on the
    outdoor APs, in their order), for the window's ``emissions`` heard and ``x`` heard emissions per client;
    emissions_density: the user's map of emissions made (core.geotiff.Density), for the 'fitted' shape; grid:
    the map's grid; n: the estimator's starting n, gains: whether it fits gains. Returns a SelfCheck."""
    if not (np.isfinite(x) and x > 0 and emissions > 0):
        raise InputError(f"The self-check needs emissions ({emissions:g}) and X ({x:g}) above zero.")
    unknown = set(shapes) - set(SHAPES)
    if unknown:
        raise InputError(f"Unknown crowd shapes {sorted(unknown)}; choose among {', '.join(SHAPES)}.")
    outdoor = ~np.asarray(aps.indoor, dtype=bool)
    clients = max(int(round(emissions / x)), 1)
    made_share = emissions_density.mass() / emissions          # emissions made per emission heard
    rng = np.random.default_rng(seed)
    twins = []
    for index, shape in enumerate(shapes):
        part = progress.part(index / len(shapes), (index + 1) / len(shapes))
        xy = _clients(shape, aps.xy[outdoor], clients, emissions_density, rng)
        config = _twin_config(aps, outdoor, radio, xy, x * made_share, seed + index)
        twins.append(_twin(shape, config, grid, n, gains, x, part))
    r = np.array([t.r for t in twins])
    a = np.array([t.radio.a for t in twins])
    n_fit = np.array([t.radio.n for t in twins])
    worst = max(twins, key=lambda t: abs(t.count_error))
    message = (f"maps of this layout with this radio reach r = {r.min():.2f} to {r.max():.2f} against the clients "
               f"of {len(twins)} simulated crowds ({', '.join(f'{t.shape} {t.r:.2f}' for t in twins)}); the "
               f"count EMISSIONS / X is off by up to {100 * worst.count_error:+.0f} % ({worst.shape}); A and n "
               f"refitted on the twins spread by {a.std():.1f} dB and {n_fit.std():.2f}.")
    return SelfCheck(twins, float(r.min()), float(np.median(r)), float(abs(worst.count_error)), float(a.std()),
                     float(n_fit.std()), message)


def _clients(shape, ap_xy, count, emissions_density, rng):
    """Client positions of a crowd shape (see the module docstring)."""
    if shape == "fitted":
        grid = emissions_density.grid
        weights = np.maximum(emissions_density.values.ravel(), 0.0)
        cell = rng.choice(weights.size, size=count, p=weights / weights.sum())
        row, col = np.divmod(cell, grid.width)
        x = grid.x_min + (col + rng.random(count)) * grid.pixel
        y = grid.y_max - (row + rng.random(count)) * grid.pixel
        return np.column_stack([x, y])
    if shape == "one crowd":
        (cx, cy, spread, _), = centred_crowd(ap_xy, count)
        return np.array([cx, cy]) + rng.normal(size=(count, 2)) * spread
    if shape == "crowds at APs":
        chosen = ap_xy[np.linspace(0, len(ap_xy) - 1, 3).round().astype(int)]
        spread = regularize.prior_sd(ap_xy) if len(ap_xy) > 1 else 10.0
        which = np.arange(count) % 3
        return chosen[which] + rng.normal(size=(count, 2)) * spread
    low, high = ap_xy.min(axis=0), ap_xy.max(axis=0)
    return rng.uniform(low, high, (count, 2))


def _twin_config(aps, outdoor, radio, client_xy, emissions_per_client, seed):
    """The SiteConfig of a twin: every AP of the layout, the radio's gains and reception on the outdoor ones."""
    gains = np.zeros(len(aps))
    gains[outdoor] = radio.gains
    reception = np.full(len(aps), float(np.mean(radio.reception)))
    reception[outdoor] = radio.reception
    return SiteConfig(ap_xy=[tuple(p) for p in aps.xy], ap_ids=list(aps.ids), indoor=list(aps.indoor),
                      gains=list(gains), client_xy=client_xy, emissions_per_client=emissions_per_client,
                      a=radio.a, n=radio.n, sigma_rss=radio.sigma, floor=float(np.min(radio.floor)),
                      reception=list(reception), crs=aps.crs, seed=seed)


def _twin(shape, config, grid, n, gains, x, progress):
    """Simulate, map and score one twin."""
    site = simulate(config)
    probes = site.probes
    randomising = np.isin(probes.extra["true_kind"].astype(str), RANDOMISING)
    kept, outdoor_aps = without_indoor_aps(probes.ap_id, site.aps)
    use = kept & randomising
    emission = probes.extra["true_emission"][use]
    estimate = listmode_density.ml_listmode(emission, probes.ap_id[use], probes.rss[use], outdoor_aps, grid, n=n,
                                            gains=gains, stderr=False, progress=progress)
    heard = len(np.unique(emission))
    truth = site.truth.client_xy[site.truth.kind.astype(str) == OUTDOOR]
    made_per_client = config.emissions_per_client
    r = score(client_density(estimate, heard, x), truth).r
    return Twin(shape, len(truth), r, (heard / x - len(truth)) / len(truth),
                (estimate.emissions.mass() / made_per_client - len(truth)) / len(truth), estimate.radio,
                estimate.fit.status)
