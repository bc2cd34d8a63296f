"""The Localization tool end to end (paper §4.6): PRs -> emissions -> Apollonius points -> A, n.

Ties together emission grouping (counting/emissions.py), localization (apollonius.py), the self-calibration
(calibration.py) and the noise-weighted position prior (regularize.py), and keeps the counts the tool reports.
"""
from dataclasses import dataclass

import numpy as np

from ..core.errors import InputError
from ..core.progress import SILENT
from ..counting.emissions import group_emissions
from . import apollonius, calibration, pathloss, regularize


@dataclass
class LocalizationRun:
    """located: apollonius.Localization (one row per emission heard by 3+ known APs); time: first PR time
    of each; fit: calibration.Calibration (the A, n to use, their standard errors, status and message);
    candidates: emissions heard by 3+ known APs; localized: those of GOOD quality; unknown_ap_ids: AP ids of
    the probe table that are not in the AP layer (their PRs are ignored); noise_sd (dB) and prior_sd (m): the
    position prior's weights (regularize.py), noise_sd 0 where no prior was applied."""

    located: apollonius.Localization
    time: np.ndarray
    fit: calibration.Calibration
    heard: apollonius.HeardEmissions
    candidates: int
    localized: int
    unknown_ap_ids: list
    noise_sd: float = 0.0
    prior_sd: float = float("nan")


def localize_probes(probes, aps, n, calibrate=True, max_residual=apollonius.DEFAULT_MAX_RESIDUAL,
                    tolerance=2.0, emission=None, progress=SILENT, prior=True, gains=None, a=None):
    """Localize the emissions of ``probes`` (records.Probes) heard by 3+ of ``aps`` (records.AccessPoints).

    emission: an emission id per PR (e.g. preprocess's field), or None to group PRs of one MAC within
    ``tolerance`` seconds at distinct APs. With ``calibrate`` A and n are fitted (calibration.calibrate);
    otherwise n is the given one and A the given ``a`` (e.g. a radio table's), or without it the mean implied by
    the good localizations (the positions do not depend on A). With ``prior`` the final
    positions are regularize.regularize's (pure Apollonius without). gains: per-sensor gains (dB, one per AP
    of ``aps``, e.g. the maximum-likelihood map's) taken off each RSS first (pathloss.without_gains), so that
    the gain-free model below describes them.
    """
    ap_index = aps.index_of(probes.ap_id)
    unknown = sorted(set(np.asarray(probes.ap_id, dtype=str)[ap_index < 0]))
    if len(probes) and not np.any(ap_index >= 0):
        raise InputError(f"None of the probe table's AP ids ({', '.join(unknown[:5])}, ...) is in the AP layer "
                         f"(ids there: {', '.join(map(str, aps.ids[:5]))}, ...). Check AP_FIELD and AP_ID_FIELD.")
    if emission is None:
        emission, _ = group_emissions(probes.time, probes.ap_id, probes.mac, tolerance)
    heard = apollonius.heard_emissions(emission, ap_index, pathloss.without_gains(probes.rss, ap_index, gains))
    if len(heard) == 0:
        raise InputError("No emission was heard by 3 or more APs of the AP layer, so nothing can be localized. "
                         "Check TOLERANCE (PRs of one emission must lie within it) and that the AP ids match.")
    progress.step(0.05)
    if calibrate:
        fit, located = calibration.calibrate(heard, aps.xy, n, None, max_residual, progress=progress)
    else:
        located = apollonius.localize(heard, aps.xy, n, max_residual)
        good = located.good
        implied = float(np.mean(located.a_implied[good])) if good.any() else float("nan")
        a_stderr = float(np.std(located.a_implied[good]) / np.sqrt(good.sum())) if good.sum() > 1 else float("nan")
        said = f"the mean implied by the {int(good.sum())} good localizations"
        message = (f"n = {n:g} as given; A = {implied:.2f} dBm is {said}." if a is None else
                   f"A = {a:.2f} dBm and n = {n:g} as given ({said} is {implied:.2f} dBm).")
        fit = calibration.Calibration(implied if a is None else float(a), n, implied, n, a_stderr, 0.0,
                                      "not calibrated", message, int(good.sum()), float("nan"))
    noise_sd, prior_sd = 0.0, float("nan")
    if prior:
        located, noise_sd, prior_sd = regularize.regularize(located, heard, aps.xy, fit.n, max_residual)
    return LocalizationRun(located, _first_time(emission, probes.time, heard.label), fit, heard, len(heard),
                           int(located.good.sum()), unknown, noise_sd, prior_sd)


def _first_time(emission, time, labels):
    codes, inverse = np.unique(emission, return_inverse=True)
    first = np.full(len(codes), np.inf)
    np.minimum.at(first, inverse, np.asarray(time, dtype=float))
    return first[np.searchsorted(codes, labels)]


def log_distance_and_rss(run, ap_xy):
    """(log10 distance, RSS) of every PR of the good localizations, for the RSS-vs-distance plot."""
    good = run.located.good
    ap = run.heard.ap[good]
    mask = ap >= 0
    offset = run.located.xy[good][:, None, :] - ap_xy[np.maximum(ap, 0)]
    return pathloss.log_distance((offset ** 2).sum(axis=-1))[mask], run.heard.rss[good][mask]
