"""Localization of emissions on the Circles of Apollonius (paper §4.6, the Localization tool).

An emission heard by APs i and j with RSS_i, RSS_j lies where d_i / d_j = 10^((RSS_j - RSS_i) / (10 n)):
a circle of Apollonius around the two APs (a straight line when RSS_i = RSS_j). A cancels, so only n is needed.

All emissions are solved at once on padded (emissions x APs) arrays:

1. closed form on the three strongest APs. With w_i = d_i / d_1 known from the RSS ratios and t = d_1^2, the
   differences |x - p_i|^2 - |x - p_1|^2 = t (w_i^2 - 1) are linear in x, so x = x0 + t x1, and
   |x - p_1|^2 = t is a quadratic in t: two candidate points (inverse to each other in the APs' circumcircle),
   one, or none (no real intersection: the vertex of the quadratic is used as a start instead);
2. for 4+ APs also the linear least-squares solution of the same equations over all APs;
3. every candidate is refined by a batched Levenberg-Marquardt on the RSS residuals of all APs that heard the
   emission, with the emission's own A eliminated (``A_e = mean(RSS_i + 10 n log10 d_i)``);
4. the candidate with the smallest residual wins; ties (always the case with exactly 3 APs, where both points
   fit exactly) go to the point nearer the APs. The two points are inverse in the circumcircle, so the inner
   one is nearer to every AP that heard the emission and implies the lower A: the physically usual choice.
"""
from dataclasses import dataclass

import numpy as np

from . import pathloss
from .core.errors import InputError

GOOD, POOR, OUTSIDE, DEGENERATE = 0, 1, 2, 3
QUALITY_NAMES = ("good", "poor residual", "outside AP hull", "degenerate")
DEFAULT_MAX_RESIDUAL = 6.0
# Candidates whose residuals differ by less than this (dB) fit equally well (both exact with 3 APs); the
# nearer one is kept.
_TIE_DB = 1e-9
# APs whose spread across their main axis is below this share of the spread along it count as collinear.
_COLLINEAR = 1e-4
_ITERATIONS = 50
# RSS at 1 m (dBm) above which a solution is no physical point: a phone (<= 20 dBm EIRP, ~40 dB lost in the
# first metre at 2.4 GHz) is never heard that loud; such points ran off towards infinity (nearly equal RSS).
_MAX_IMPLIED_A = 0.0


@dataclass
class HeardEmissions:
    """Emissions heard by 3+ distinct APs, padded to K slots, strongest AP first.

    label: (E,) the emission id of each row; ap: (E, K) AP row index, -1 in unused slots; rss: (E, K) dBm
    (NaN in unused slots); n_aps: (E,) slots in use.
    """

    label: np.ndarray
    ap: np.ndarray
    rss: np.ndarray

    @property
    def mask(self):
        return self.ap >= 0

    @property
    def n_aps(self):
        return self.mask.sum(axis=1)

    def __len__(self):
        return len(self.label)


@dataclass
class Localization:
    """One row per emission: xy (E, 2), residual rms (dB), implied A_e (dBm), quality code, n_aps."""

    label: np.ndarray
    xy: np.ndarray
    residual: np.ndarray
    a_implied: np.ndarray
    quality: np.ndarray
    n_aps: np.ndarray

    @property
    def good(self):
        return self.quality == GOOD


def heard_emissions(emission, ap_index, rss, min_aps=3):
    """Pad the PRs (emission label, AP row index, RSS per PR) into a HeardEmissions of those heard by
    ``min_aps`` or more distinct APs. PRs with ap_index < 0 (unknown AP) or non-finite RSS are ignored; an AP
    heard twice in one emission keeps its strongest RSS."""
    emission = np.asarray(emission)
    ap_index = np.asarray(ap_index, dtype=np.int64)
    rss = np.asarray(rss, dtype=float)
    usable = (ap_index >= 0) & np.isfinite(rss)
    emission, ap_index, rss = emission[usable], ap_index[usable], rss[usable]
    _, code = np.unique(emission, return_inverse=True)
    by_ap = np.lexsort((-rss, ap_index, code))
    first_of_pair = np.ones(len(by_ap), dtype=bool)
    first_of_pair[1:] = (code[by_ap][1:] != code[by_ap][:-1]) | (ap_index[by_ap][1:] != ap_index[by_ap][:-1])
    kept = by_ap[first_of_pair]
    order = kept[np.lexsort((-rss[kept], code[kept]))]
    group, start, count = np.unique(code[order], return_index=True, return_counts=True)
    enough = count >= min_aps
    slots = int(count[enough].max()) if enough.any() else min_aps
    row = np.repeat(np.cumsum(enough) - 1, count)
    rank = np.arange(len(order)) - np.repeat(start, count)
    take = np.repeat(enough, count)
    ap = np.full((int(enough.sum()), slots), -1, dtype=np.int64)
    padded_rss = np.full(ap.shape, np.nan)
    ap[row[take], rank[take]] = ap_index[order][take]
    padded_rss[row[take], rank[take]] = rss[order][take]
    labels = emission[order][start[enough]]
    return HeardEmissions(labels, ap, padded_rss)


def localize(heard, ap_xy, n, max_residual=DEFAULT_MAX_RESIDUAL, hull_margin=0.0):
    """Localize every emission of ``heard`` (a HeardEmissions) with path-loss exponent ``n``.

    ap_xy: (APs, 2) metric coordinates. Quality: GOOD, POOR (residual rms above ``max_residual`` dB),
    OUTSIDE (more than ``hull_margin`` m outside the hull of all APs), DEGENERATE (collinear APs: mirror
    ambiguity, no finite solution, or one so far that it implies an RSS above 0 dBm at 1 m). Returns a Localization.
    """
    if not (np.isfinite(n) and n > 0):
        raise InputError(f"The path-loss exponent N = {n} must be positive (free space is 2, typical 2-4).")
    ap_xy = np.asarray(ap_xy, dtype=float)
    if len(heard) == 0:
        empty = np.zeros(0)
        return Localization(heard.label, np.zeros((0, 2)), empty, empty, np.zeros(0, dtype=np.int64),
                            np.zeros(0, dtype=np.int64))
    origin, points, rss, mask = local_frame(heard, ap_xy)
    ratio2 = ratio_squares(rss, mask, n)

    starts, collinear = _starting_points(points, ratio2, mask)
    fits = [_refine_existing(start, points, rss, mask, n) for start in starts]
    xy, residual, a_implied = _choose(fits, points, mask)
    xy = xy + origin
    quality = grade(xy, residual, a_implied, ap_xy, max_residual, hull_margin)
    quality[collinear] = DEGENERATE
    return Localization(heard.label, xy, residual, a_implied, quality, heard.n_aps)


def grade(xy, residual, a_implied, ap_xy, max_residual=DEFAULT_MAX_RESIDUAL, hull_margin=0.0):
    """Quality code of each position: OUTSIDE (more than ``hull_margin`` m outside the AP hull), POOR (residual
    rms above ``max_residual`` dB), DEGENERATE (no finite point, or one implying more than _MAX_IMPLIED_A at
    1 m), else GOOD; later codes override earlier ones."""
    quality = np.full(len(xy), GOOD, dtype=np.int64)
    quality[outside_hull(xy, ap_xy) > hull_margin] = OUTSIDE
    quality[residual > max_residual] = POOR
    quality[~np.all(np.isfinite(xy), axis=1) | (a_implied > _MAX_IMPLIED_A)] = DEGENERATE
    return quality


def ratio_squares(rss, mask, n):
    """(d_i / d_1)^2 from the RSS ratios to the strongest AP (slot 0); 0 in unused slots."""
    return np.where(mask, pathloss.squared_distance_ratio(rss[:, :1], rss, n), 0.0)


def ratio_centroid(points, ratio2, mask):
    """Centroid of the APs that heard each emission weighted by 1 / d_i^2 as the RSS ratios imply: a point
    that always exists, near the strongest APs."""
    inverse = 1.0 / np.where(mask, ratio2, 1.0)
    return _masked_mean(points * inverse[..., None], mask) / _masked_mean(inverse, mask)[:, None]


def local_frame(heard, ap_xy):
    """(origin, points, rss, mask): AP positions relative to each emission's strongest AP (origin, (E, 2)),
    which keeps the squares of projected coordinates (~1e5 m) from eating the precision."""
    mask = heard.mask
    origin = ap_xy[heard.ap[:, 0]]
    points = np.where(mask[..., None], ap_xy[np.maximum(heard.ap, 0)] - origin[:, None, :], 0.0)
    return origin, points, np.where(mask, heard.rss, 0.0), mask


def emission_model(xy, points, rss, mask, n):
    """Per-slot log-distance terms of the model, shared with the calibration.

    Returns (f, grad, log_d): f = RSS + 10 n log10 d (equal to A for a perfect fit), its gradient in x
    (E, K, 2) and log10 d, all zero in unused slots.
    """
    offset = xy[:, None, :] - points
    dist2 = (offset ** 2).sum(axis=-1)
    log_d = np.where(mask, pathloss.log_distance(dist2), 0.0)
    f = np.where(mask, pathloss.implied_a(rss, log_d, n), 0.0)
    grad = np.where(mask[..., None], pathloss.implied_a_gradient(offset, dist2, n), 0.0)
    return f, grad, log_d


def _masked_mean(values, mask):
    weights = mask.reshape(mask.shape + (1,) * (values.ndim - mask.ndim))
    return (values * weights).sum(axis=1) / weights.sum(axis=1)


def _residual(xy, points, rss, mask, n, a=None, prior=None):
    """RSS residuals (dB), their Jacobian in x, and the A they are measured against.

    With ``a`` None the emission's own A is eliminated (A_e = mean of f, the Apollonius case); otherwise the
    residuals are f - a for the given A (the calibration's joint model). ``prior`` (centre (E, 2), weight (E,)
    in dB per metre) appends the two pseudo-residuals weight * (x - centre) of a Gaussian position prior.
    """
    f, grad, _ = emission_model(xy, points, rss, mask, n)
    if a is None:
        a = _masked_mean(f, mask)
        grad = grad - _masked_mean(grad, mask)[:, None, :]
    a = np.broadcast_to(np.asarray(a, dtype=float), (len(xy),))
    residual = np.where(mask, f - a[:, None], 0.0)
    jacobian = np.where(mask[..., None], grad, 0.0)
    if prior is not None:
        centre, weight = prior
        residual = np.concatenate([residual, weight[:, None] * (xy - centre)], axis=1)
        jacobian = np.concatenate([jacobian, weight[:, None, None] * np.eye(2)], axis=1)
    return residual, jacobian, a


def cost(xy, points, rss, mask, n, a=None, prior=None):
    """The sum of squared residuals that ``refine`` minimises (same arguments as ``_residual``)."""
    return (_residual(xy, points, rss, mask, n, a, prior)[0] ** 2).sum(axis=1)


def solve2(h, g):
    """Solve the batched 2 x 2 systems h @ x = g (h: (E, 2, 2), g: (E, 2)); NaN where singular."""
    det = h[:, 0, 0] * h[:, 1, 1] - h[:, 0, 1] * h[:, 1, 0]
    with np.errstate(divide="ignore", invalid="ignore"):
        x0 = (h[:, 1, 1] * g[:, 0] - h[:, 0, 1] * g[:, 1]) / det
        x1 = (h[:, 0, 0] * g[:, 1] - h[:, 1, 0] * g[:, 0]) / det
    return np.column_stack([x0, x1])


def refine(xy, points, rss, mask, n, a=None, prior=None):
    """Batched Levenberg-Marquardt on the RSS residuals (A eliminated, or fixed at ``a``; optionally with a
    position ``prior`` as in ``_residual``); returns (xy, rms, A_e), the rms over the RSS residuals only.

    Only the emissions still moving are iterated, so converged ones cost nothing.
    """
    xy = np.where(np.isfinite(xy), xy, 0.0)
    a = None if a is None else np.broadcast_to(np.asarray(a, dtype=float), (len(xy),))
    residual, jacobian, _ = _residual(xy, points, rss, mask, n, a, prior)
    cost = (residual ** 2).sum(axis=1)
    damping = np.full(len(xy), 1e-3)
    active = np.arange(len(xy))
    for _ in range(_ITERATIONS):
        p, r, m = points[active], rss[active], mask[active]
        jx, jy, res = jacobian[active, :, 0], jacobian[active, :, 1], residual[active]
        boost = 1.0 + damping[active]
        h = np.empty((len(active), 2, 2))
        h[:, 0, 0] = (jx * jx).sum(axis=1) * boost + 1e-12
        h[:, 1, 1] = (jy * jy).sum(axis=1) * boost + 1e-12
        h[:, 0, 1] = h[:, 1, 0] = (jx * jy).sum(axis=1)
        g = -np.column_stack([(jx * res).sum(axis=1), (jy * res).sum(axis=1)])
        step = np.nan_to_num(solve2(h, g))
        trial = xy[active] + step
        t_residual, t_jacobian, _ = _residual(trial, p, r, m, n, None if a is None else a[active],
                                              None if prior is None else (prior[0][active], prior[1][active]))
        t_cost = (t_residual ** 2).sum(axis=1)
        better = t_cost < cost[active]
        gain = np.where(better, cost[active] - t_cost, 0.0)
        moved = active[better]
        xy[moved], cost[moved] = trial[better], t_cost[better]
        residual[moved], jacobian[moved] = t_residual[better], t_jacobian[better]
        damping[active] = np.where(better, damping[active] * 0.1, damping[active] * 10.0)
        settled = (np.hypot(step[:, 0], step[:, 1]) < 1e-9) | (damping[active] > 1e8) | \
            (better & (gain <= 1e-14 * t_cost))
        active = active[~settled]
        if len(active) == 0:
            break
    residual, _, a_e = _residual(xy, points, rss, mask, n, a)
    rms = np.sqrt((residual ** 2).sum(axis=1) / np.maximum(mask.sum(axis=1), 1))
    return xy, rms, a_e


def _refine_existing(start, points, rss, mask, n):
    """refine() on the rows where the candidate exists; elsewhere NaN position and infinite residual."""
    rows = np.all(np.isfinite(start), axis=1)
    xy, rms, a_e = np.full(start.shape, np.nan), np.full(len(start), np.inf), np.full(len(start), np.nan)
    if rows.any():
        xy[rows], rms[rows], a_e[rows] = refine(start[rows], points[rows], rss[rows], mask[rows], n)
    return xy, rms, a_e


def _starting_points(points, ratio2, mask):
    """Candidate start points (list of (E, 2) arrays, NaN where a candidate does not exist) and the
    collinear flag. Coordinates are relative to the strongest AP (points[:, 0] = 0)."""
    p = points[:, 1:3]
    b = 2.0 * p
    c = (p ** 2).sum(axis=-1)
    g = ratio2[:, 1:3] - 1.0
    collinear = _collinear(points, mask)
    x0 = solve2(b, c)
    x1 = -solve2(b, g)
    with np.errstate(divide="ignore", invalid="ignore", over="ignore"):  # collinear APs: no closed form
        qa = (x1 ** 2).sum(axis=1)
        qb = 2.0 * (x0 * x1).sum(axis=1) - 1.0
        qc = (x0 ** 2).sum(axis=1)
        disc = qb ** 2 - 4.0 * qa * qc
        q = 0.5 * (-qb + np.sqrt(np.maximum(disc, 0.0)))
        near_t = np.where(disc >= 0, qc / q, -qb / (2.0 * qa))
        far_t = np.where(disc >= 0, q / qa, np.nan)
        near_t = np.where(near_t > 0, near_t, np.nan)
        far_t = np.where(far_t > 0, far_t, np.nan)
        starts = [x0 + near_t[:, None] * x1, x0 + far_t[:, None] * x1]
    # where the closed form has no point
    starts.append(np.where(np.isnan(starts[0]), ratio_centroid(points, ratio2, mask), np.nan))
    if mask.shape[1] > 3:
        starts.append(_linear_solution(points, ratio2, mask))
    return starts, collinear


def _linear_solution(points, ratio2, mask):
    """Least squares of 2 p_i . x + t (r_i - 1) = |p_i|^2 over all APs, unknowns (x, y, t)."""
    design = np.concatenate([2.0 * points, (ratio2 - 1.0)[..., None]], axis=-1) * mask[..., None]
    target = (points ** 2).sum(axis=-1) * mask
    normal = np.einsum("eki,ekj->eij", design, design) + 1e-12 * np.eye(3)
    rhs = np.einsum("eki,ek->ei", design, target)
    solved = np.full(rhs.shape, np.nan)
    good = np.abs(np.linalg.det(normal)) > 1e-9
    solved[good] = np.linalg.solve(normal[good], rhs[good][..., None])[..., 0]
    return solved[:, :2]


def _collinear(points, mask):
    """True where all APs that heard the emission lie (nearly) on one line."""
    centred = np.where(mask[..., None], points - _masked_mean(points, mask)[:, None, :], 0.0)
    scatter = np.einsum("eki,ekj->eij", centred, centred)
    eig = np.linalg.eigvalsh(scatter)
    return eig[:, 0] <= _COLLINEAR * np.maximum(eig[:, 1], 1e-300)


def _choose(fits, points, mask):
    """Smallest residual wins; within _TIE_DB of it, the point nearest the APs (mean log distance)."""
    residual = np.column_stack([rms for _, rms, _ in fits])
    residual = np.where(np.isfinite(residual), residual, np.inf)
    nearness = np.column_stack([_mean_log_distance(xy, points, mask) for xy, _, _ in fits])
    tied = residual <= residual.min(axis=1, keepdims=True) + _TIE_DB
    xy, rms, a_e = pick(fits, np.argmin(np.where(tied, nearness, np.inf), axis=1))
    return xy, np.where(np.isfinite(rms), rms, np.inf), a_e


def pick(fits, best):
    """(xy, rms, A_e) of candidate ``best[e]`` for every emission e, from a list of refine() results."""
    rows = np.arange(len(best))
    return tuple(np.stack(part, axis=1)[rows, best] for part in zip(*fits))


def _mean_log_distance(xy, points, mask):
    dist2 = np.maximum(((xy[:, None, :] - points) ** 2).sum(axis=-1), 1e-12)
    return _masked_mean(np.log(dist2), mask)


def outside_hull(xy, ap_xy):
    """How far (m) each point lies outside the convex hull of the APs (0 or negative inside).

    Uses the largest outward distance to a hull edge's line (exact off an edge, a lower bound off a corner).
    With collinear or fewer than 3 APs there is no area: every point counts as inside.
    """
    hull = hull_ring(ap_xy)
    if hull is None:
        return np.zeros(len(xy))
    start, end = hull, np.roll(hull, -1, axis=0)
    edge = end - start
    outward = np.column_stack([edge[:, 1], -edge[:, 0]]) / np.hypot(edge[:, 0], edge[:, 1])[:, None]
    return np.einsum("pei,ei->pe", xy[:, None, :] - start[None], outward).max(axis=1)


def hull_ring(xy):
    """Counter-clockwise vertices of the convex hull of ``xy``, or None if the points span no area."""
    xy = np.unique(np.asarray(xy, dtype=float), axis=0)
    if len(xy) < 3:
        return None
    spatial = _require_spatial()
    try:
        hull = spatial.ConvexHull(xy)
    except spatial.QhullError:
        return None
    return xy[hull.vertices]


def _require_spatial():
    from .core.optional import require
    return require("scipy.spatial")
