"""Positions for noisy captures: the Apollonius fit with a weak Gaussian position prior (beyond the paper).

Why: with A eliminated, an emission's position rests on RSS ratios alone, and these say little when the RSS
noise is large. On the UNIST campus capture the pure Apollonius points lie further from the GPS truth than
the strongest sensor does. The remedy is the maximum a posteriori position

    minimise over x   sum_i (RSS_i - A_e + 10 n log10 |x - p_i|)^2 / sigma^2  +  |x - c|^2 / s^2

(A_e eliminated as in apollonius.py), where

- c is the centroid of the APs that heard the emission, weighted by 1 / d_i^2 as the RSS ratios imply
  (apollonius.ratio_centroid);
- s is half the median distance between neighbouring APs: the scale of the AP layout, fixed before looking at
  any RSS, so that nothing here is tuned to a capture;
- sigma is the RSS noise measured on the emissions heard by 4+ APs (their Apollonius residuals, with the
  three fitted unknowns x, y, A_e taken off the degrees of freedom).

The prior weighs in only as much as the data are noisy. Noise-free data give sigma = 0, and the positions stay
exact. Where no emission is heard by 4+ APs the noise cannot be measured, and the positions stay pure
Apollonius.

Measured in tests/unit/paper/test_regularize.py (simulated sites) and tests/realdata/test_unist_localization.py; the
figures are in the README's "Known limits". The measured sigma runs low on noisy data (the receivers' floor
cuts the noisiest values), so the prior is weighted conservatively.
"""
import numpy as np

from . import apollonius, position_fit

MIN_REDUNDANT = 10


def noise_sd(located):
    """RSS noise sd (dB) from the Apollonius residuals of the emissions heard by 4+ APs (0 with fewer than
    MIN_REDUNDANT of them): sqrt(sum k rms^2 / sum (k - 3))."""
    redundant = (located.n_aps >= 4) & (located.quality != apollonius.DEGENERATE) & np.isfinite(located.residual)
    if redundant.sum() < MIN_REDUNDANT:
        return 0.0
    k = located.n_aps[redundant]
    return float(np.sqrt(np.sum(k * located.residual[redundant] ** 2) / np.sum(k - 3)))


def prior_sd(ap_xy):
    """Half the median distance (m) from each AP to its nearest neighbour."""
    ap_xy = np.unique(np.asarray(ap_xy, dtype=float), axis=0)
    if len(ap_xy) < 2:
        return float("nan")
    gap = np.hypot(*(ap_xy[:, None, :] - ap_xy[None]).transpose(2, 0, 1))
    np.fill_diagonal(gap, np.inf)
    return 0.5 * float(np.median(gap.min(axis=1)))


def regularize(located, heard, ap_xy, n, max_residual=apollonius.DEFAULT_MAX_RESIDUAL, hull_margin=0.0):
    """MAP positions for the apollonius.Localization ``located`` of ``heard`` at exponent ``n``.

    Each emission is refined from its Apollonius point and from the prior's centre; the lower posterior
    cost wins. Degenerate emissions are left as they are. Returns (Localization, sigma dB, s m).
    """
    sigma, scale = noise_sd(located), prior_sd(ap_xy)
    rows = np.flatnonzero(located.quality != apollonius.DEGENERATE)
    if sigma == 0.0 or not np.isfinite(scale) or len(rows) == 0:
        return located, sigma, scale
    result = apollonius.Localization(located.label, located.xy.copy(), located.residual.copy(),
                                     located.a_implied.copy(), located.quality.copy(), located.n_aps)
    for group_rows, origin, group in apollonius.dense_groups(heard, ap_xy, rows):
        xy, result.residual[group_rows], result.a_implied[group_rows] = \
            _posterior_mode(group, located.xy[group_rows] - origin, n, sigma / scale)
        result.xy[group_rows] = xy + origin
    result.quality[rows] = apollonius.grade(result.xy[rows], result.residual[rows], result.a_implied[rows], ap_xy,
                                            max_residual, hull_margin)
    return result, sigma, scale


def _posterior_mode(group, apollonius_xy, n, weight):
    """The lower-cost of the posterior fits started at the Apollonius points (E, 2) and at the prior's centre,
    for a dense group of emissions (positions relative to the strongest AP). Returns (xy (E, 2), rms, A_e)."""
    count = len(group)
    centre = apollonius.group_ratio_centroid(group, n)
    prior = position_fit.Rows(group.px, group.py, group.rss, None, centre, np.full(count, weight))
    both = np.concatenate([np.arange(count), np.arange(count)])
    x, y, fields = position_fit.fit(np.concatenate([apollonius_xy[:, 0], centre[0]]),
                                    np.concatenate([apollonius_xy[:, 1], centre[1]]), prior.take(both), n)
    best = np.where(fields[position_fit.COST, count:] < fields[position_fit.COST, :count], count, 0) + \
        np.arange(count)
    rms = np.sqrt(fields[position_fit.RSS_COST, best] / len(group.px))
    return np.column_stack([x[best], y[best]]), rms, fields[position_fit.LEVEL, best]
