"""Localization of emissions on the Circles of Apollonius (paper §4.6, the Localization tool).

An emission heard by APs i and j with RSS_i, RSS_j lies where d_i / d_j = 10^((RSS_j - RSS_i) / (10 n)):
a circle of Apollonius around the two APs (a straight line when RSS_i = RSS_j). A cancels, so only n is needed.

All emissions heard by the same number of APs are solved at once, on dense (APs x emissions) arrays:

1. closed form on the three strongest APs. With w_i = d_i / d_1 known from the RSS ratios and t = d_1^2, the
   differences |x - p_i|^2 - |x - p_1|^2 = t (w_i^2 - 1) are linear in x, so x = x0 + t x1, and
   |x - p_1|^2 = t is a quadratic in t: two candidate points (inverse to each other in the APs' circumcircle),
   one, or none (no real intersection: the vertex of the quadratic is used as a start instead);
2. for 4+ APs also the linear least-squares solution of the same equations over all APs;
3. every candidate is refined, all in one batch, by the damped Newton method of position_fit.py on the RSS
   residuals of all APs that heard the emission, with the emission's own A eliminated
   (``A_e = mean(RSS_i + 10 n log10 d_i)``);
4. the candidate with the smallest residual wins; ties (always the case with exactly 3 APs, where both points
   fit exactly) go to the point nearer the APs. The two points are inverse in the circumcircle, so the inner
   one is nearer to every AP that heard the emission and implies the lower A: the physically usual choice.
"""
from dataclasses import dataclass

import numpy as np

from ..core.errors import InputError
from . import pathloss, position_fit

GOOD, POOR, OUTSIDE, DEGENERATE = 0, 1, 2, 3
QUALITY_NAMES = ("good", "poor residual", "outside AP hull", "degenerate")
DEFAULT_MAX_RESIDUAL = 6.0
# Candidates whose residuals differ by less than this (dB) fit equally well (both exact with 3 APs); the
# nearer one is kept.
_TIE_DB = 1e-9
# APs whose spread across their main axis is below this share of the spread along it count as collinear.
_COLLINEAR = 1e-4
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
    xy, residual = np.full((len(heard), 2), np.nan), np.full(len(heard), np.inf)
    a_implied, collinear = np.full(len(heard), np.nan), np.zeros(len(heard), dtype=bool)
    for rows, origin, group in dense_groups(heard, ap_xy):
        local, residual[rows], a_implied[rows] = _localize_group(group, n)
        xy[rows] = local + origin
        collinear[rows] = _collinear(group)
    quality = grade(xy, residual, a_implied, ap_xy, max_residual, hull_margin)
    quality[collinear] = DEGENERATE
    return Localization(heard.label, xy, residual, a_implied, quality, heard.n_aps)


def dense_groups(heard, ap_xy, rows=None):
    """(rows, origin, position_fit.Rows) for each number of APs among the emissions ``rows`` of ``heard``
    (all by default): the APs' offsets from each emission's strongest AP (origin, (E, 2)), strongest first,
    which keeps the squares of projected coordinates (~1e5 m) from eating the precision."""
    rows = np.arange(len(heard)) if rows is None else np.asarray(rows)
    mask = heard.mask[rows]
    count = mask.sum(axis=1)
    for k in np.unique(count[count > 0]):
        which = np.flatnonzero(count == k)
        slots = position_fit.used_slots(mask[which], k)
        ap = heard.ap[rows[which][:, None], slots].T
        origin = ap_xy[ap[0]]
        group = position_fit.Rows(ap_xy[ap, 0] - origin[:, 0], ap_xy[ap, 1] - origin[:, 1],
                                  heard.rss[rows[which][:, None], slots].T.copy())
        yield rows[which], origin, group


def _localize_group(group, n):
    """Positions (E, 2) relative to the strongest AP, residual rms and A_e of emissions heard by the same
    number of APs: every candidate refined, then chosen (_choose)."""
    ratio2 = pathloss.squared_distance_ratio(group.rss[:1], group.rss, n)
    starts = _starting_points(group, ratio2)
    return _choose(*_refine_candidates(starts, group, n), group)


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


def ratio_centroid(ap_offsets, ratio2, mask):
    """Centroid of the APs that heard each emission weighted by 1 / d_i^2 as the RSS ratios imply: a point
    that always exists, near the strongest APs."""
    inverse = np.where(mask, 1.0 / np.where(mask, ratio2, 1.0), 0.0)
    return _centroid(ap_offsets[..., 0].T, ap_offsets[..., 1].T, inverse.T).T


def group_ratio_centroid(group, n):
    """ratio_centroid of the emissions of a dense group (position_fit.Rows, as dense_groups gives them):
    (2, E), relative to the strongest AP."""
    return _centroid(group.px, group.py, 1.0 / pathloss.squared_distance_ratio(group.rss[:1], group.rss, n))


def local_frame(heard, ap_xy):
    """(origin, ap_offsets, rss, mask): AP positions relative to each emission's strongest AP (origin, (E, 2)),
    which keeps the squares of projected coordinates (~1e5 m) from eating the precision."""
    mask = heard.mask
    origin = ap_xy[heard.ap[:, 0]]
    ap_offsets = np.where(mask[..., None], ap_xy[np.maximum(heard.ap, 0)] - origin[:, None, :], 0.0)
    return origin, ap_offsets, np.where(mask, heard.rss, 0.0), mask


def emission_model(xy, ap_offsets, rss, mask, n):
    """Per-slot log-distance terms of the model, shared with the calibration.

    Returns (f, grad, log_d): f = RSS + 10 n log10 d (equal to A for a perfect fit), its gradient in x
    (E, K, 2) and log10 d, all zero in unused slots.
    """
    offset = xy[:, None, :] - ap_offsets
    dist2 = (offset ** 2).sum(axis=-1)
    log_d = np.where(mask, pathloss.log_distance(dist2), 0.0)
    f = np.where(mask, pathloss.implied_a(rss, log_d, n), 0.0)
    grad = np.where(mask[..., None], pathloss.implied_a_gradient(offset, dist2, n), 0.0)
    return f, grad, log_d


def cost(xy, ap_offsets, rss, mask, n, a=None, prior=None):
    """The sum of squared residuals that ``refine`` minimises (same arguments as ``refine``)."""
    total = np.zeros(len(xy))
    for rows, group in position_fit.groups(ap_offsets, rss, mask, _per_row(a, len(xy)), prior):
        total[rows] = position_fit.evaluate(xy[rows, 0], xy[rows, 1], group, n)[position_fit.COST]
    return total


def solve2(h, g):
    """Solve the batched 2 x 2 systems h @ x = g (h: (E, 2, 2), g: (E, 2)); NaN where singular."""
    with np.errstate(divide="ignore", invalid="ignore"):
        return _solve2(h.transpose(1, 2, 0), g.T).T


def refine(xy, ap_offsets, rss, mask, n, a=None, prior=None):
    """Fit each emission's position to the RSS of the APs that heard it (``mask``), from ``xy``: A eliminated,
    or fixed at ``a``; ``prior`` (centre (E, 2), weight (E,) in dB per metre) adds the pseudo-residuals
    weight * (x - centre) of a Gaussian position prior. Batched damped Newton (position_fit.fit).

    Returns (xy, rms, A_e), the rms over the RSS residuals only.
    """
    xy = np.where(np.isfinite(xy), xy, 0.0)
    a = _per_row(a, len(xy))
    fitted, rss_cost = xy.copy(), np.zeros(len(xy))
    level = np.full(len(xy), np.nan) if a is None else a.copy()
    for rows, group in position_fit.groups(ap_offsets, rss, mask, a, prior):
        x, y, fields = position_fit.fit(xy[rows, 0], xy[rows, 1], group, n)
        fitted[rows, 0], fitted[rows, 1] = x, y
        rss_cost[rows], level[rows] = fields[position_fit.RSS_COST], fields[position_fit.LEVEL]
    return fitted, np.sqrt(rss_cost / np.maximum(mask.sum(axis=1), 1)), level


def _per_row(a, count):
    return None if a is None else np.broadcast_to(np.asarray(a, dtype=float), (count,))


def _refine_candidates(starts, group, n):
    """Refine every existing start (NaN where a candidate does not exist) in one batch.

    Returns x, y, rms, A_e as (candidates, E) arrays: NaN position and infinite rms where there was no start.
    """
    exists = np.all(np.isfinite(starts), axis=1)
    candidate, row = np.nonzero(exists)
    x, y, fields = position_fit.fit(starts[candidate, 0, row], starts[candidate, 1, row], group.take(row), n)
    out = np.full((4,) + exists.shape, np.nan)
    out[2] = np.inf
    out[:, candidate, row] = x, y, np.sqrt(fields[position_fit.RSS_COST] / len(group.px)), \
        fields[position_fit.LEVEL]
    return out


def _starting_points(group, ratio2):
    """Candidate start points (candidates, 2, E), NaN where a candidate does not exist, relative to the
    strongest AP: the two intersections of the Circles of Apollonius of the three strongest APs (the nearer
    one, else the vertex of the quadratic when they do not intersect), the ratio centroid where there is no
    nearer one, and for 4+ APs the linear least-squares solution. With fewer than 3 APs (no position: graded
    DEGENERATE as collinear) the centroid alone."""
    centroid = _centroid(group.px, group.py, 1.0 / ratio2)
    if len(group.px) < 3:
        return centroid[None]
    b = 2.0 * np.stack([[group.px[1], group.py[1]], [group.px[2], group.py[2]]])   # (2, 2, E)
    c = group.px[1:3] ** 2 + group.py[1:3] ** 2
    g = ratio2[1:3] - 1.0
    with np.errstate(divide="ignore", invalid="ignore", over="ignore"):  # collinear APs: no closed form
        x0 = _solve2(b, c)
        x1 = -_solve2(b, g)
        qa = (x1 ** 2).sum(axis=0)
        qb = 2.0 * (x0 * x1).sum(axis=0) - 1.0
        qc = (x0 ** 2).sum(axis=0)
        disc = qb ** 2 - 4.0 * qa * qc
        q = 0.5 * (-qb + np.sqrt(np.maximum(disc, 0.0)))
        near_t = np.where(disc >= 0, qc / q, -qb / (2.0 * qa))
        far_t = np.where(disc >= 0, q / qa, np.nan)
        near_t = np.where(near_t > 0, near_t, np.nan)
        far_t = np.where(far_t > 0, far_t, np.nan)
        near, far = x0 + near_t * x1, x0 + far_t * x1
    starts = [near, far, np.where(np.isnan(near), centroid, np.nan)]
    if len(group.px) > 3:
        starts.append(_linear_solution(group, ratio2))
    return np.stack(starts)


def _solve2(b, c):
    """Solve the 2 x 2 systems b[:, :, e] @ x = c[:, e] by Cramer's rule; (2, E), NaN where singular."""
    det = b[0, 0] * b[1, 1] - b[0, 1] * b[1, 0]
    return np.stack([b[1, 1] * c[0] - b[0, 1] * c[1], b[0, 0] * c[1] - b[1, 0] * c[0]]) / det


def _centroid(px, py, weight):
    """Weighted centroid (2, E) of the points (px, py) (k, E)."""
    total = weight.sum(axis=0)
    return np.stack([(px * weight).sum(axis=0), (py * weight).sum(axis=0)]) / total


def _linear_solution(group, ratio2):
    """Least squares of 2 p_i . x + t (r_i - 1) = |p_i|^2 over all APs, unknowns (x, y, t): (2, E), NaN
    where the normal equations are (nearly) singular."""
    design = np.stack([2.0 * group.px, 2.0 * group.py, ratio2 - 1.0])      # (3, k, E)
    target = group.px ** 2 + group.py ** 2
    normal = np.einsum("ike,jke->ije", design, design) + 1e-12 * np.eye(3)[..., None]
    rhs = np.einsum("ike,ke->ie", design, target)
    cofactor = np.stack([np.stack([normal[(i + 1) % 3, (j + 1) % 3] * normal[(i + 2) % 3, (j + 2) % 3] -
                                   normal[(i + 1) % 3, (j + 2) % 3] * normal[(i + 2) % 3, (j + 1) % 3]
                                   for j in range(3)]) for i in range(3)])
    det = (normal[0] * cofactor[0]).sum(axis=0)
    with np.errstate(divide="ignore", invalid="ignore"):
        solved = np.einsum("jie,je->ie", cofactor, rhs) / det
    return np.where(np.abs(det) > 1e-9, solved[:2], np.nan)


def _collinear(group):
    """True where all APs that heard the emission lie (nearly) on one line: the smaller eigenvalue of their
    scatter matrix is below _COLLINEAR times the larger."""
    dx = group.px - group.px.mean(axis=0)
    dy = group.py - group.py.mean(axis=0)
    sxx, sxy, syy = (dx * dx).sum(axis=0), (dx * dy).sum(axis=0), (dy * dy).sum(axis=0)
    largest = 0.5 * (sxx + syy + np.hypot(sxx - syy, 2.0 * sxy))
    smallest = (sxx * syy - sxy * sxy) / np.maximum(largest, 1e-300)
    return smallest <= _COLLINEAR * np.maximum(largest, 1e-300)


def _choose(x, y, rms, a_e, group):
    """Smallest residual wins; within _TIE_DB of it, the point nearest the APs (mean log distance).
    Returns (xy (E, 2), rms, A_e)."""
    rms = np.where(np.isfinite(rms), rms, np.inf)
    dist2 = (x[:, None] - group.px) ** 2 + (y[:, None] - group.py) ** 2     # (candidates, k, E)
    nearness = np.log(np.maximum(dist2, 1e-12)).mean(axis=1)
    tied = rms <= rms.min(axis=0) + _TIE_DB
    best = np.argmin(np.where(tied, nearness, np.inf), axis=0)
    column = np.arange(len(best))
    return np.column_stack([x[best, column], y[best, column]]), rms[best, column], a_e[best, column]


def pick(fits, best):
    """(xy, rms, A_e) of candidate ``best[e]`` for every emission e, from a list of refine() results."""
    rows = np.arange(len(best))
    return tuple(np.stack(part, axis=1)[rows, best] for part in zip(*fits))


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
    distance = np.full(len(xy), -np.inf)
    for (x0, y0), (ox, oy) in zip(start, outward):
        np.maximum(distance, (xy[:, 0] - x0) * ox + (xy[:, 1] - y0) * oy, out=distance)
    return distance


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
    from ..core.optional import require
    return require("scipy.spatial")
