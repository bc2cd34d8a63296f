"""Maximum-likelihood client density (beyond the paper): MLEM for Poisson counts of (AP, RSS).

Forward model. An emission made at cell c is heard at AP a with an RSS in the reporting bin of r (1 dB wide
for the integer RSS sniffers report) with probability
``K_a(r, c) = Phi((r + w/2 - mu_a(c)) / sigma) - Phi((r - w/2 - mu_a(c)) / sigma)``, w the bin width,
which is the Gaussian noise density ``phi((r - mu) / sigma) / sigma`` integrated over the bin (exactly that
density when the RSS values are not integers), with the log-distance mean
``mu_a(c) = A - 10 n log10 d(a, c)`` (paper §4.1, pathloss.rss_at; d >= d0 = 1 m). Each AP hears
independently, so the PR counts y(a, r) are Poisson with mean ``sum_c K_a(r, c) lambda_c``, lambda_c the
emissions made at cell c. A reception probability p common to all APs only scales lambda, whose total is set
from the count of emissions anyway, so p = 1 here.

What is counted. The unknown is the density of *emissions* (the model's sources), not of PRs: an emission
heard by 3 APs is 3 PRs of one source. The PR-density output is the model's expected PRs per cell,
``lambda_c s_c``, with the sensitivity ``s_c = sum_a sum_{r >= floor} K_a(r, c)`` (the expected detections of
one emission at c over all APs and every RSS the receivers can report). The client density is lambda
scaled to EMISSIONS / X (heard emissions per client of the window, the Counting tool's X12 = X_DAY h / 24;
equal to the multiplicity method's P / X).

Estimation (MLEM, as in emission tomography): ``f <- f / G'(s) * G'(H'(y / H G f))``, with H the (AP, RSS)
projection and G a Gaussian sieve of width SIEVE metres (lambda = G f). Plain MLEM over-fits the noise as it
iterates (rings' crossings sharpen into spikes); the sieve bounds the resolution to what the RSS noise allows,
so the iterates settle instead of degrading: the documented rule is a fixed ITERATIONS (default 150) under
the sieve, and tests check that four times as many iterations change the map's accuracy by less than 0.03.

Cost. Per AP the projection of a density onto its RSS levels depends on the distance only: the cells are
binned once on a fine axis of mu (0.05 dB), so an iteration is one bincount and one gather per AP plus a
(levels x bins) matrix product: O(APs x cells), whatever the number of PRs or (AP, RSS) groups. The model
cells are blocks of k x k output pixels (k chosen so there are at most MODEL_CELLS of them); the output is the
sieve evaluated on the output pixels, so it is smooth and keeps the mass of every block.
"""
from dataclasses import dataclass

import numpy as np

from ..core.errors import InputError
from ..core.geotiff import Density
from ..core.grid import Grid
from ..core.masks import region_mask
from ..core.optional import require
from ..core.progress import SILENT
from ..core.records import AccessPoints, probe_ap_rows
from ..core.smoothing import DomainGaussian, smooth
from ..core.validation import check_rss
from ..paper.pathloss import (
    DEFAULT_A,
    DEFAULT_N,
    DEFAULT_SIGMA_RSS,
    NOISE_TAIL_SDS,
    check_model,
    log_distance,
    rss_at_log,
)
from .model import detection, log_report

UNITS = "clients/m2"
KIND = "client density (maximum likelihood)"
PR_KIND = "PR density (maximum likelihood)"
DEFAULT_ITERATIONS = 150
DEFAULT_SIEVE = 6.0            # m: about the distance spread of a 3 dB ring at 20 m (pathloss.distance_spread)
MODEL_CELLS = 65_536           # at most this many model cells (blocks of output pixels)
_MU_STEP = 0.05                # dB: the mu axis the cells are binned on (far below sigma_RSS)


@dataclass
class MLEstimate:
    """emissions: estimated emissions made per m² (the map's shape; its mass is the model's own estimate of
    all emissions made, heard or not); prs: expected PRs per m² (lambda x sensitivity, total = the PRs);
    iterations; log_likelihood: Poisson log-likelihood (up to a constant) after each iteration."""

    emissions: Density
    prs: Density
    iterations: int
    log_likelihood: np.ndarray


@dataclass(frozen=True)
class _Radio:
    """The forward model's radio side: path loss A, n; RSS noise sigma; reporting bin width; receivers' floor."""

    a: float
    n: float
    sigma: float
    width: float
    floor: float

    def mean_rss(self, ap_xy, grid, gain=0.0):
        """mu_a(c) = A + g_a - 10 n log10 d at a grid's pixel centres (d >= d0 = 1 m), g_a the AP's gain."""
        xs, ys = grid.centres()
        dist2 = (xs[None, :] - ap_xy[0]) ** 2 + (ys[:, None] - ap_xy[1]) ** 2
        return rss_at_log(log_distance(dist2), self.a, self.n, gain)

    def probability(self, rss, mu):
        """Probability (bin width > 0) or density per dB (width 0) of reporting ``rss`` at mean RSS ``mu``."""
        return np.exp(log_report(rss, mu, self.sigma, self.width)[0])

    def detection(self, mu):
        """Probability of reporting any RSS at or above the floor: ``probability`` summed over those bins."""
        return detection(mu, self.floor, self.sigma, self.width)


class _APProjector:
    """One AP's map between model cells and its RSS levels (distinct RSS values and their PR counts), through
    the cells binned on a fine mu axis: the projection depends on a cell's distance to the AP only."""

    def __init__(self, mu_cells, levels, counts, radio):
        low = min(mu_cells.min(), levels.min()) - NOISE_TAIL_SDS * radio.sigma
        self.bin = np.round((mu_cells - low) / _MU_STEP).astype(np.int64)
        self.bins = int(self.bin.max()) + 1
        mu = low + _MU_STEP * np.arange(self.bins)
        self.kernel = radio.probability(levels[:, None], mu[None, :])
        self.sensitivity = radio.detection(mu)[self.bin]
        self.counts = counts

    def forward(self, cell_values):
        """Expected PRs at each RSS level of this AP from ``cell_values`` emissions per cell."""
        return self.kernel @ np.bincount(self.bin, weights=cell_values, minlength=self.bins)

    def back(self, level_values):
        """Transpose of ``forward``: per cell, the sum over levels of K(r, c) x level_values(r)."""
        return (level_values @ self.kernel)[self.bin]


def reporting_width(rss):
    """1 dB when every RSS is an integer dBm (as sniffers report), else 0 (RSS treated as continuous)."""
    return 1.0 if np.all(rss == np.round(rss)) else 0.0


def model_block(grid, max_cells=MODEL_CELLS):
    """Side k (pixels) of the square blocks of output pixels that form the model cells: <= max_cells blocks."""
    return max(1, int(np.ceil(np.sqrt(grid.width * grid.height / max_cells))))


def block_grid(grid, k):
    """The grid of k x k blocks covering ``grid`` (the last row/column of blocks may overhang)."""
    return Grid(grid.x_min, grid.y_max, grid.pixel * k, -(-grid.width // k), -(-grid.height // k), grid.crs)


def block_sum(values, k, coarse):
    """Sum of ``values`` (fine grid) over each k x k block of ``coarse``."""
    padded = np.zeros((coarse.height * k, coarse.width * k))
    padded[:values.shape[0], :values.shape[1]] = values
    return padded.reshape(coarse.height, k, coarse.width, k).sum(axis=(1, 3))


def block_spread(block_mass, k, share):
    """Fine pixel masses: each block's mass spread over its pixels in proportion to ``share`` (fine grid)."""
    per_block = block_sum(share, k, Grid(0.0, 0.0, 1.0, block_mass.shape[1], block_mass.shape[0]))
    scale = np.divide(block_mass, per_block, out=np.zeros_like(block_mass), where=per_block > 0)
    full = np.repeat(np.repeat(scale, k, axis=0), k, axis=1)[:share.shape[0], :share.shape[1]]
    return full * share


def ml_emissions(probe_ap_ids, rss, aps, grid, a=DEFAULT_A, n=DEFAULT_N, sigma_rss=DEFAULT_SIGMA_RSS,
                 floor=None, support=None, iterations=DEFAULT_ITERATIONS, sieve=DEFAULT_SIEVE,
                 max_cells=MODEL_CELLS, gains=None, progress=SILENT):
    """MLEM estimate of where the emissions of these PRs were made (see the module docstring).

    probe_ap_ids, rss: one element per PR (all PRs of the window the model should explain; indoor APs'
    PRs should be left out first, see ``without_indoor_aps``); aps: records.AccessPoints (metric CRS);
    grid: output grid; floor: receivers' sensitivity in dBm (default: the weakest RSS heard); support:
    boolean pixel mask where clients can be (default everywhere); sieve: metres (0 = plain MLEM); gains:
    per-sensor gains (dB, one per AP of ``aps``, e.g. a radio table's) added to each AP's mean RSS.
    Returns an MLEstimate.
    """
    check_model(a, n, sigma_rss)
    rss = _checked_rss(rss)
    _check_options(iterations, sieve)
    radio = _Radio(float(a), float(n), float(sigma_rss), reporting_width(rss), checked_floor(floor, rss))
    support = np.ones(grid.shape, dtype=bool) if support is None else np.asarray(support, dtype=bool)
    if support.shape != grid.shape or not support.any():
        raise InputError("The support (SUPPORT polygons minus exclusions) covers no pixel of the grid.")
    rows = probe_ap_rows(probe_ap_ids, aps)
    gains = np.zeros(len(aps)) if gains is None else np.asarray(gains, dtype=float)

    k = model_block(grid, max_cells)
    coarse = block_grid(grid, k)
    cells = block_sum(support.astype(float), k, coarse) > 0
    sieve_op = DomainGaussian(cells.shape, sieve / coarse.pixel, cells)
    projectors = [_projector(radio, aps.xy[row], coarse, rss[rows == row], gains[row]) for row in range(len(aps))]
    f, history = _mlem(projectors, sieve_op, cells, len(rss), iterations, progress)

    emissions = smooth(block_spread(f, k, support.astype(float)), sieve / grid.pixel, domain=support)
    emissions /= grid.cell_area
    sensitivity = sum(radio.detection(radio.mean_rss(xy, grid, gain)) for xy, gain in zip(aps.xy, gains))
    prs = emissions * sensitivity
    prs *= len(rss) / max(float(prs.sum() * grid.cell_area), 1e-300)  # MLEM's fit holds the PRs exactly
    tags = {"A": radio.a, "N": radio.n, "SIGMA_RSS": radio.sigma, "FLOOR": radio.floor, "ITERATIONS": iterations,
            "SIEVE": sieve, "MODEL_CELL": coarse.pixel, "MASS_OUTSIDE": 0.0}
    emission_density = Density(emissions, grid, dict(tags, KIND="emissions made (maximum likelihood)",
                                                     UNITS="emissions/m2"))
    emission_density.tags["TOTAL"] = emission_density.mass()
    pr_density = Density(prs, grid, dict(tags, KIND=PR_KIND, UNITS="PRs/m2", TOTAL=float(len(rss))))
    return MLEstimate(emission_density, pr_density, iterations, history)


def _mlem(projectors, sieve_op, cells, prs, iterations, progress):
    """The MLEM iterations on the sieve's coefficients f; returns (f, log-likelihood after each iteration)."""
    shape = cells.shape
    sensitivity = sum(p.sensitivity for p in projectors).reshape(shape)
    normaliser = sieve_op.adjoint(sensitivity)
    usable = normaliser > 0
    if not np.any(usable & cells):
        raise InputError("No AP can hear an emission from the support with these A, n, FLOOR: check them.")
    f = np.where(cells, prs / max(float(np.sum(sensitivity[cells])), 1e-300), 0.0)
    history = np.zeros(iterations)
    for iteration in range(iterations):
        progress.step(iteration / iterations)
        lam = sieve_op.forward(f).ravel()
        back = np.zeros(lam.size)
        log_likelihood = -float(lam @ sensitivity.ravel())
        for projector in projectors:
            expected = projector.forward(lam)
            # a level no cell can explain (expected 0) gets no weight: it cannot move any cell
            ratio = np.divide(projector.counts, expected, out=np.zeros_like(expected), where=expected > 0)
            log_likelihood += float(projector.counts @ np.log(np.where(expected > 0, expected, 1.0)))
            back += projector.back(ratio)
        history[iteration] = log_likelihood
        update = sieve_op.adjoint(back.reshape(shape))
        f = np.where(usable, f * update / np.where(usable, normaliser, 1.0), 0.0)
    progress.step(1.0)
    return f, history


def _projector(radio, ap_xy, coarse, ap_rss, gain=0.0):
    """The AP's projector; an AP that heard nothing still adds sensitivity (one empty level at the floor)."""
    levels, counts = np.unique(ap_rss, return_counts=True)
    if not len(levels):
        levels, counts = np.array([radio.floor]), np.zeros(1)
    return _APProjector(radio.mean_rss(ap_xy, coarse, gain).ravel(), levels, counts.astype(float), radio)


def _checked_rss(rss):
    if len(rss) == 0:
        raise InputError("The probe table has no PRs: there is nothing to locate.")
    return check_rss(rss)


def _check_options(iterations, sieve):
    if not (isinstance(iterations, (int, np.integer)) and iterations >= 1):
        raise InputError(f"ITERATIONS = {iterations} must be a whole number of at least 1.")
    if not (np.isfinite(sieve) and sieve >= 0):
        raise InputError(f"SIEVE = {sieve:g} m must be zero (plain MLEM) or a positive number of metres.")


def checked_floor(floor, rss):
    """The receivers' floor: the given one (it must not exceed the weakest RSS heard) or that RSS."""
    floor = float(rss.min()) if floor is None else float(floor)
    if not np.isfinite(floor) or floor > rss.min():
        raise InputError(f"FLOOR = {floor:g} dBm is above the weakest RSS heard ({rss.min():g} dBm); the "
                         f"receivers cannot report below their floor. Lower FLOOR or leave it empty.")
    return floor


def client_density(estimate, emissions, x):
    """Clients per m²: the estimate's shape holding EMISSIONS / X clients (X: emissions per client)."""
    if not (np.isfinite(emissions) and emissions >= 0):
        raise InputError(f"EMISSIONS = {emissions:g} must be a count >= 0 (the heard emissions of the window).")
    if not (np.isfinite(x) and x > 0):
        raise InputError(f"X = {x:g} must be a positive number of emissions per client (e.g. 65.5 for 3 h).")
    clients = float(emissions) / float(x)
    shape = estimate.emissions
    mass = shape.mass()
    values = shape.values * (clients / mass) if mass > 0 else shape.values * 0.0
    tags = dict(shape.tags, KIND=KIND, UNITS=UNITS, TOTAL=clients, MASS_OUTSIDE=0.0, X=float(x),
                EMISSIONS=float(emissions), EMISSIONS_MADE=mass)
    return Density(values, shape.grid, tags)


def without_indoor_aps(probe_ap_ids, aps):
    """(mask of the PRs heard by outdoor APs, AccessPoints of the outdoor APs): the model has no walls, so
    indoor APs and their PRs are left out (the paper's Filtering tool, §4.5, sets them apart from the bowl
    flow for the same reason)."""
    rows = probe_ap_rows(probe_ap_ids, aps)
    outdoor = ~np.asarray(aps.indoor, dtype=bool)
    if not outdoor.any():
        raise InputError("Every AP of the AP layer is flagged indoor; the model needs outdoor APs.")
    kept = AccessPoints(aps.ids[outdoor], aps.xy[outdoor], aps.indoor[outdoor], aps.crs)
    return outdoor[rows], kept


def heard_emission_count(emission):
    """Distinct emissions among the PRs (ids < 0, Preprocessing's mark for PRs outside CR, are not emissions)."""
    emission = np.asarray(emission)
    if emission.dtype.kind in "iuf":
        emission = emission[emission >= 0]
    return len(np.unique(emission.astype(str)))


@dataclass
class MLMap:
    """The maximum-likelihood client map of a window: ``density`` (clients/m²) from ``estimate``, the heard
    ``emissions`` and ``x`` it holds EMISSIONS / X clients with, the PRs used and those of indoor APs left out."""

    density: Density
    estimate: MLEstimate
    emissions: float
    x: float
    prs: int
    left_out: int

    @property
    def clients(self):
        return self.emissions / self.x


def client_map(probe_ap_ids, rss, emission, aps, x, grid_for, estimator, emissions=None, support=None,
               exclusions=()):
    """The client map of the PRs (AP id, RSS and emission id per PR) as an MLMap, by ``estimator``.

    PRs of indoor APs are left out (``without_indoor_aps``); ``grid_for(outdoor_aps)`` gives the output grid
    (e.g. bowl.bowl_grid of the outdoor APs); ``estimator(ap_ids, rss, emission, outdoor_aps, grid, support)``
    maps the PRs kept (support: boolean pixel mask or None) and returns an MLEstimate; ``support`` /
    ``exclusions``: shapely polygons where clients can / cannot be; ``emissions``: default the distinct
    emissions of the PRs used; ``x``: emissions per client in the window.
    """
    outdoor, outdoor_aps = without_indoor_aps(probe_ap_ids, aps)
    grid = grid_for(outdoor_aps)
    heard = np.asarray(emission)[outdoor]
    estimate = estimator(np.asarray(probe_ap_ids)[outdoor], np.asarray(rss)[outdoor], heard, outdoor_aps, grid,
                         support_mask(grid, support, exclusions))
    if emissions is None:
        emissions = heard_emission_count(heard)
    return MLMap(client_density(estimate, emissions, x), estimate, float(emissions), float(x),
                 int(outdoor.sum()), int((~outdoor).sum()))


def ml_client_map(probe_ap_ids, rss, emission, aps, x, grid_for, a=DEFAULT_A, n=DEFAULT_N,
                  sigma_rss=DEFAULT_SIGMA_RSS, floor=None, emissions=None, support=None, exclusions=(),
                  iterations=DEFAULT_ITERATIONS, sieve=DEFAULT_SIEVE, gains=None, progress=SILENT):
    """``client_map`` by the counts' estimator (ml_emissions) with A, n, sigma_rss as given; gains: per-sensor
    gains (dB, one per AP of ``aps``) or None."""
    outdoor_gains = None if gains is None else np.asarray(gains, dtype=float)[~np.asarray(aps.indoor, dtype=bool)]

    def estimator(ap_ids, values, _, outdoor_aps, grid, mask):
        return ml_emissions(ap_ids, values, outdoor_aps, grid, a, n, sigma_rss, floor=floor, support=mask,
                            iterations=iterations, sieve=sieve, gains=outdoor_gains, progress=progress)
    return client_map(probe_ap_ids, rss, emission, aps, x, grid_for, estimator, emissions, support, exclusions)


def support_mask(grid, support=None, exclusions=()):
    """Pixels where clients can be: in ``support`` polygons (default the whole grid) and not in ``exclusions``;
    None (everywhere) when neither is given."""
    if support is None:
        if not exclusions:
            return None
        return region_mask([require("shapely.geometry").box(*grid.bounds)], grid, exclusions, "the output extent")
    return region_mask(support, grid, exclusions, "SUPPORT")
