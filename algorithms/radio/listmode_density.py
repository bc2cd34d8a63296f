"""Self-calibrating maximum-likelihood client density from every emission's detection pattern (beyond the paper).

Where the Bowl tool (paper §4.2) and the counts' estimator (mldensity.py) need A, n and sigma from elsewhere,
this estimator takes them, with the per-sensor gains and the reception probability, from the same PRs it maps:
each emission is one event whose likelihood (listmode.py) says which APs heard it at what RSS and which stayed
silent, and the radio is fitted jointly with the density (radiofit.py). Steps:

1. the radio is fitted on model cells of CALIBRATION_CELL metres (a quarter of the AP spacing at most; larger
   when noisy radio spreads each emission over more than CALIBRATION_PAIRS cells in all) and on at most
   CALIBRATION_EMISSIONS emissions (a random subsample beyond): an emission's position is uncertain by far more
   than a cell, the radio has a handful of parameters, and the fit costs O(emissions x support) per
   evaluation;
2. the density is estimated at that radio by list-mode MLEM (ITERATIONS under the sieve) on model cells no
   smaller than the sieve, and spread onto the output pixels as mldensity.py does.

The result carries the fit (radiofit.RadioFit: values, standard errors, per-AP gains, whether they were handed
on and why). Outputs have the units of mldensity.py: emissions made per m² and expected PRs per m²; the client
map is mldensity.client_density of it.
"""
from dataclasses import dataclass

import numpy as np

from ..core.errors import InputError
from ..core.geotiff import Density
from ..core.progress import SILENT
from ..core.records import probe_ap_rows
from ..core.smoothing import DomainGaussian, smooth
from ..core.validation import check_rss
from ..paper import regularize
from ..paper.pathloss import DEFAULT_N, check_model, log_distance
from . import listmode, radiocalibration, radiofit
from .mldensity import (
    DEFAULT_ITERATIONS,
    DEFAULT_SIEVE,
    MLEstimate,
    block_grid,
    block_spread,
    block_sum,
    checked_floor,
    client_map,
    model_block,
    reporting_width,
)
from .model import Radio

CALIBRATION_CELL = 12.0         # m
CALIBRATION_PAIRS = 600_000     # the calibration's cells grow until its supports hold about this many pairs
MAP_PAIRS = 3_000_000           # the map's likewise
CALIBRATION_EMISSIONS = 8_000   # the radio is fitted on a random subsample of at most this many emissions


@dataclass
class ListModeEstimate(MLEstimate):
    """MLEstimate (emissions, prs, iterations, log_likelihood) and the radio it used: radio (radio.Radio);
    fit: the calibration when the radio was fitted here (radiocalibration.RadioFit), else None."""

    radio: object = None
    fit: object = None


def ml_listmode(emission, probe_ap_ids, rss, aps, grid, radio=None, n=DEFAULT_N, gains=True, reception="per_ap",
                stderr=True, floor=None, support=None, iterations=DEFAULT_ITERATIONS, sieve=DEFAULT_SIEVE,
                progress=SILENT):
    """List-mode ML density of the PRs (emission id, AP id, RSS per PR: the window's PRs of outdoor APs, see
    mldensity.without_indoor_aps) on ``grid``; aps: records.AccessPoints (metric CRS).

    radio: a radio.Radio to map with, or a function (aps, floor, width) -> radio.Radio that makes it for these
    APs, the receivers' floor and the reporting bin of these PRs (e.g. radio_table.RadioTable.radio_for,
    ``given_radio``); nothing is fitted then. Else the radio is fitted starting from ``n``
    (radiofit.starting_radio) by radiocalibration.calibrate, with per-sensor ``gains`` if asked for,
    ``reception`` 'common' or 'per_ap', and standard errors if ``stderr``. floor: receivers' floor (dBm;
    default the weakest RSS heard); support: boolean pixel mask where emissions can be made. Returns a
    ListModeEstimate whose fit is the radiocalibration.RadioFit (None when ``radio`` was given).
    """
    rss = check_rss(rss)
    if len(rss) == 0:
        raise InputError("The probe table has no PRs: there is nothing to locate.")
    rows = probe_ap_rows(probe_ap_ids, aps)
    patterns = listmode.detection_patterns(emission, rows, rss)
    floor = checked_floor(floor, rss)
    support = np.ones(grid.shape, dtype=bool) if support is None else np.asarray(support, dtype=bool)
    if support.shape != grid.shape or not support.any():
        raise InputError("The support (SUPPORT polygons minus exclusions) covers no pixel of the grid.")
    fit = None
    if callable(radio):
        radio = radio(aps, floor, reporting_width(rss))
    if radio is None:
        start = radiofit.starting_radio(patterns, aps.xy, n, floor, reporting_width(rss))
        sample = listmode.thinned(patterns, CALIBRATION_EMISSIONS)
        k = calibration_block(grid, aps.xy, sieve)
        cells, sieve_op, _ = budgeted_cells(sample, grid, support, aps.xy, k, sieve, start, CALIBRATION_PAIRS,
                                            listmode.KEEP_SDS + radiofit.SUPPORT_SLACK)
        fit = radiocalibration.calibrate(sample, cells, sieve_op, start, gains, reception, stderr,
                                         progress.part(0.0, 0.6))
        radio = fit.radio
    cells, sieve_op, coarse = budgeted_cells(patterns, grid, support, aps.xy, map_block(grid, sieve), sieve, radio,
                                             MAP_PAIRS)
    k = int(round(coarse.pixel / grid.pixel))
    pairs = listmode.pair_likelihood(patterns, cells, radio)
    f, history = listmode.mlem(pairs, patterns, cells, sieve_op, listmode.starting_density(pairs, patterns, cells),
                               iterations, progress.part(0.6 if fit else 0.0, 1.0))
    return _estimate(sieve_op.forward(f), coarse, k, grid, support, aps, radio, sieve, iterations, history, fit,
                     len(rss))


def given_radio(a, n, sigma_rss, reception=radiofit.START_RECEPTION):
    """A function (aps, floor, width) -> radio.Radio with A, n, sigma as given, no gains and ``reception`` at
    every AP: the radio of the list-mode map when it is not to be fitted."""
    check_model(a, n, sigma_rss)

    def make(aps, floor, width):
        return Radio.make(a, n, sigma_rss, len(aps), floor, width, reception=reception)
    return make


def listmode_client_map(probe_ap_ids, rss, emission, aps, x, grid_for, radio=None, n=DEFAULT_N, gains=True,
                        reception="per_ap", stderr=True, floor=None, emissions=None, support=None, exclusions=(),
                        iterations=DEFAULT_ITERATIONS, sieve=DEFAULT_SIEVE, progress=SILENT):
    """mldensity.client_map by the list-mode estimator (``ml_listmode``, whose options these are): an MLMap
    whose estimate is the ListModeEstimate (its radio and fit)."""
    def estimator(ap_ids, values, heard, outdoor_aps, grid, mask):
        return ml_listmode(heard, ap_ids, values, outdoor_aps, grid, radio, n, gains, reception, stderr, floor,
                           mask, iterations, sieve, progress)
    return client_map(probe_ap_ids, rss, emission, aps, x, grid_for, estimator, emissions, support, exclusions)


def calibration_block(grid, ap_xy, sieve):
    """Side (pixels) of the calibration's model cells: CALIBRATION_CELL metres, at most a quarter of the
    median distance between neighbouring APs, never smaller than the map's own cells."""
    side = min(CALIBRATION_CELL, 0.5 * regularize.prior_sd(ap_xy))
    return max(map_block(grid, sieve), int(round(side / grid.pixel)))


def map_block(grid, sieve):
    """Side (pixels) of the map's model cells: mldensity's block, and no smaller than the sieve."""
    return max(model_block(grid), int(np.floor(sieve / grid.pixel)), 1)


def budgeted_cells(patterns, grid, support, ap_xy, k, sieve, radio, pairs, keep=listmode.KEEP_SDS):
    """model_cells of k x k pixel blocks, the blocks grown (by the square root of the excess) when the supports
    at ``radio`` would hold more than about ``pairs`` pairs: noisy radio spreads every emission over many cells,
    and then finer cells only cost time."""
    cells, sieve_op, coarse = model_cells(grid, support, ap_xy, k, sieve)
    # about half of an anchor ring's cells pass the likelihood cut (measured on simulated sites)
    expected = 0.5 * listmode.support_bound(patterns, cells, radio, keep)
    if expected > pairs:
        k = int(np.ceil(k * np.sqrt(expected / pairs)))
        cells, sieve_op, coarse = model_cells(grid, support, ap_xy, k, sieve)
    return cells, sieve_op, coarse


def model_cells(grid, support, ap_xy, k, sieve):
    """(listmode.Cells, sieve operator, coarse grid) of k x k pixel blocks holding support pixels."""
    coarse = block_grid(grid, k)
    mask = block_sum(support.astype(float), k, coarse) > 0
    return listmode.Cells(coarse, mask, ap_xy), DomainGaussian(mask.shape, sieve / coarse.pixel, mask), coarse


def _estimate(lam, coarse, k, grid, support, aps, radio, sieve, iterations, history, fit, prs_count):
    emissions = smooth(block_spread(lam, k, support.astype(float)), sieve / grid.pixel, domain=support)
    emissions /= grid.cell_area
    xs, ys = grid.centres()
    expected = np.zeros(grid.shape)
    for row, xy in enumerate(aps.xy):
        log_d = log_distance((xs[None, :] - xy[0]) ** 2 + (ys[:, None] - xy[1]) ** 2)
        expected += radio.reception[row] * radio.detection(radio.mean(log_d, row), row)
    prs = emissions * expected
    prs *= prs_count / max(float(prs.sum() * grid.cell_area), 1e-300)
    tags = {"A": radio.a, "N": radio.n, "SIGMA_RSS": radio.sigma, "FLOOR": float(np.min(radio.floor)),
            "RECEPTION": float(np.mean(radio.reception)), "ITERATIONS": iterations, "SIEVE": sieve,
            "MODEL_CELL": coarse.pixel, "MASS_OUTSIDE": 0.0, "ESTIMATOR": "list-mode"}
    emission_density = Density(emissions, grid, dict(tags, KIND="emissions made (maximum likelihood)",
                                                     UNITS="emissions/m2"))
    emission_density.tags["TOTAL"] = emission_density.mass()
    pr_density = Density(prs, grid, dict(tags, KIND="PR density (maximum likelihood)", UNITS="PRs/m2",
                                         TOTAL=float(prs_count)))
    return ListModeEstimate(emission_density, pr_density, iterations, history, radio, fit)
