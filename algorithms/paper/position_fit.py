"""Batched fit of emission positions to their RSS (the refinement step of the Localization tool, paper §4.6).

For every emission heard by APs p_i with RSS_i, minimise over its position x

    sum_i (RSS_i + 10 n log10 |x - p_i| - A)^2  [+ w^2 |x - c|^2]

where A is either the emission's own, eliminated (A_e = the mean of RSS_i + 10 n log10 d_i: the Circles of
Apollonius), or given (the calibration's joint model), and the optional term is a Gaussian position prior of
centre c and weight w (dB per metre).

The minimiser is Levenberg-Marquardt on Gauss-Newton's Hessian while the steps are long, and on the exact
Hessian (closed form for this model, pathloss.implied_a_derivatives) once they are short: Gauss-Newton alone
crawled for 50 iterations on one noisy emission in eight, the exact Hessian finishes those in a few; used from
the start it picked worse minima on simulated sites. Emissions heard by the same number k of APs are fitted
together on dense, slot-major (k, emissions) arrays, so the sums over APs are k - 1 vector additions and the
2 x 2 systems are solved in closed form; an emission leaves the batch as soon as it has settled.
"""
import numpy as np

from . import pathloss

_ITERATIONS = 50
_START_DAMPING = 1e-3
_MAX_DAMPING = 1e8
_SETTLED_STEP = 1e-9     # m
# The exact Hessian is used after a step shorter than this (m), Gauss-Newton's after longer ones: Gauss-Newton
# chooses the basin as before (the exact Hessian from the start picked worse minima on simulated sites), the
# exact Hessian converges quadratically near the minimum, where Gauss-Newton crawled (noisy emissions).
_NEWTON_WITHIN = 1.0
_SETTLED_GAIN = 1e-14    # relative decrease of the cost
# A step this short (m) that does not lower the cost: at the minimum to within rounding.
_ROUNDING_STEP = 1e-6
# Rows of the array evaluate() returns: total cost, cost of the RSS residuals alone, the A they are measured
# against, the exact Hessian (xx, xy, yy) and its Gauss-Newton part, halved, and the half gradient (x, y).
COST, RSS_COST, LEVEL = 0, 1, 2
_OUTPUTS = 3
_NEWTON, _GAUSS, _GRADIENT = slice(3, 6), slice(6, 9), slice(9, 11)
_FIELDS = 11
# Emissions per block of evaluate(): a block's temporaries (k x _BLOCK doubles each) stay in the cache.
_BLOCK = 4096


class Rows:
    """Emissions heard by the same number k of APs, slot-major: px, py, rss (k, E) are the APs' offsets (m)
    from a local origin and their RSS (dBm). a: (E,) the given A, or None to eliminate each emission's own.
    centre (2, E) and weight (E,): the position prior, or None."""

    def __init__(self, px, py, rss, a=None, centre=None, weight=None):
        self.px, self.py, self.rss, self.a, self.centre, self.weight = px, py, rss, a, centre, weight

    def __len__(self):
        return self.px.shape[1]

    def take(self, keep):
        """The emissions at the integer indices ``keep``."""
        return Rows(self.px.take(keep, axis=1), self.py.take(keep, axis=1), self.rss.take(keep, axis=1),
                    _take(self.a, keep), None if self.centre is None else self.centre.take(keep, axis=1),
                    _take(self.weight, keep))


def _take(values, keep):
    return None if values is None else values.take(keep)


def used_slots(mask, k):
    """(E, k) indices of the k slots in use in each row of ``mask`` (E, K), in their order."""
    if mask[:, :k].all():
        return np.broadcast_to(np.arange(k), (len(mask), k))
    return np.argsort(~mask, axis=1, kind="stable")[:, :k]


def groups(points, rss, mask, a=None, prior=None):
    """Split padded emissions (points (E, K, 2), rss and mask (E, K)) into (row indices, Rows), one per
    number of slots in use (emissions with none are left out). a: (E,) or None; prior: (centre (E, 2),
    weight (E,)) or None."""
    count = mask.sum(axis=1)
    for k in np.unique(count[count > 0]):
        rows = np.flatnonzero(count == k)
        slots = used_slots(mask[rows], k)
        p = points[rows[:, None], slots]
        centre, weight = (None, None) if prior is None else (prior[0][rows].T.copy(), prior[1][rows])
        yield rows, Rows(p[..., 0].T.copy(), p[..., 1].T.copy(), rss[rows[:, None], slots].T.copy(),
                         _take(a, rows), centre, weight)


def evaluate(x, y, rows, n):
    """(_FIELDS, E) array: the cost at positions (x, y) (E,) and its local quadratic model (rows COST,
    RSS_COST, LEVEL, then the Hessians and the gradient). Computed in blocks of _BLOCK emissions, whose
    temporaries stay in the processor's cache."""
    out = np.empty((_FIELDS, len(x)))
    for start in range(0, len(x), _BLOCK):
        block = slice(start, start + _BLOCK)
        _evaluate_block(x[block], y[block], rows, block, n, out[:, block])
    if rows.centre is not None:
        _add_prior(out, x, y, rows)
    return out


def _evaluate_block(x, y, rows, block, n, out):
    """evaluate() on the emissions ``block`` (a slice) of ``rows``, into ``out``."""
    ox = x - rows.px[:, block]
    oy = y - rows.py[:, block]
    dist2 = ox * ox
    dist2 += oy * oy
    f, s, c = pathloss.implied_a_derivatives(rows.rss[:, block], dist2, n)
    gx, gy = ox, oy
    gx *= s
    gy *= s
    level = out[LEVEL]
    if rows.a is None:
        level[:] = _sum_over_aps(f)
        level /= len(f)
    else:
        level[:] = rows.a[block]
    r = f
    r -= level
    out[RSS_COST] = np.einsum("ke,ke->e", r, r)
    out[COST] = out[RSS_COST]
    gauss, newton, gradient = out[_GAUSS], out[_NEWTON], out[_GRADIENT]
    gauss[0] = np.einsum("ke,ke->e", gx, gx)
    gauss[1] = np.einsum("ke,ke->e", gx, gy)
    gauss[2] = np.einsum("ke,ke->e", gy, gy)
    if rows.a is None:  # the residuals are measured against their own mean: take the mean gradient off
        mean_gx, mean_gy = _sum_over_aps(gx), _sum_over_aps(gy)
        gauss[0] -= mean_gx * mean_gx / len(f)
        gauss[1] -= mean_gx * mean_gy / len(f)
        gauss[2] -= mean_gy * mean_gy / len(f)
    gradient[0] = np.einsum("ke,ke->e", r, gx)
    gradient[1] = np.einsum("ke,ke->e", r, gy)
    curvature = np.einsum("ke,ke->e", r, s)
    newton[0] = np.einsum("ke,ke,ke->e", r, gx, gx)
    newton[1] = np.einsum("ke,ke,ke->e", r, gx, gy)
    newton[2] = np.einsum("ke,ke,ke->e", r, gy, gy)
    newton *= -2.0 / c
    newton += gauss
    newton[0] += curvature
    newton[2] += curvature


def _sum_over_aps(values):
    """Sum over the first axis as k - 1 vector additions (faster than .sum(axis=0) for small k)."""
    total = values[0].copy()
    for row in values[1:]:
        total += row
    return total


def _add_prior(out, x, y, rows):
    """Add the pseudo-residuals weight * (x - centre) of the position prior to cost, Hessians and gradient."""
    w2 = rows.weight ** 2
    dx, dy = x - rows.centre[0], y - rows.centre[1]
    out[COST] += w2 * (dx * dx + dy * dy)
    for hessian in (out[_NEWTON], out[_GAUSS]):
        hessian[0] += w2
        hessian[2] += w2
    out[_GRADIENT] += w2 * np.stack([dx, dy])


def _damped_step(model, damping, exact):
    """Levenberg-Marquardt step, (H + damping diag H) step = -gradient, with H the exact Hessian where ``exact``
    and it is positive definite, else Gauss-Newton's; zero where the system is singular."""
    hxx, hxy, hyy = model[_GAUSS]
    if exact.any():
        newton = model[_NEWTON]
        use = exact & (newton[0] > 0) & (newton[0] * newton[2] > newton[1] * newton[1])
        hxx, hxy, hyy = model[_GAUSS] + use * (newton - model[_GAUSS])
    boost = 1.0 + damping
    hxx = hxx * boost + 1e-12
    hyy = hyy * boost + 1e-12
    det = hxx * hyy - hxy * hxy
    solvable = det > 0
    det[~solvable] = 1.0
    bx, by = model[_GRADIENT]
    dx = (hxy * by - hyy * bx) / det
    dy = (hxy * bx - hxx * by) / det
    dx *= solvable
    dy *= solvable
    return dx, dy


def fit(x, y, rows, n):
    """Damped Newton from positions (x, y) (E,) for the emissions ``rows`` at exponent ``n``.

    Each emission takes Levenberg-Marquardt steps on Gauss-Newton's Hessian, and on the exact one (where
    positive definite) while its last step taken was shorter than _NEWTON_WITHIN. It stops when its step or its
    gain vanishes, when a step that does not lower the cost is shorter than _ROUNDING_STEP, when the damping
    exceeds _MAX_DAMPING, or after _ITERATIONS steps.

    Returns (x, y, fields): the fitted positions and, at them, the rows COST, RSS_COST and LEVEL of evaluate().
    """
    batch = _Batch(x, y, rows, evaluate(x, y, rows, n))
    for _ in range(_ITERATIONS):
        dx, dy = _damped_step(batch.model, batch.damping, batch.exact)
        batch.retire(dx * dx + dy * dy < _SETTLED_STEP ** 2)
        if batch.empty():
            break
        dx *= batch.live
        dy *= batch.live
        trial = evaluate(batch.x + dx, batch.y + dy, batch.rows, n)
        batch.retire(batch.accept(trial, dx, dy))
        batch.compact()
    batch.retire(batch.live)
    return batch.done_x, batch.done_y, batch.done


class _Batch:
    """The emissions still being fitted (``live``; the settled ones are dropped whenever they are an eighth of
    the batch) and the results of those that settled, in their original order."""

    def __init__(self, x, y, rows, model):
        count = len(x)
        self.x, self.y = np.array(x, dtype=float), np.array(y, dtype=float)
        self.rows, self.model = rows, model
        self.damping = np.full(count, _START_DAMPING)
        self.index = np.arange(count)
        self.live = np.ones(count, dtype=bool)
        self.exact = np.zeros(count, dtype=bool)
        self.done_x, self.done_y, self.done = np.empty(count), np.empty(count), np.empty((_OUTPUTS, count))

    def empty(self):
        return not self.live.any()

    def accept(self, trial, dx, dy):
        """Take the steps that lower the cost and adapt the damping; returns where the fit has settled (no
        step taken for a long time, or a negligible gain)."""
        better = trial[COST] < self.model[COST]
        gain = self.model[COST] - trial[COST]
        length2 = dx * dx + dy * dy
        self.exact = np.where(better, length2 <= _NEWTON_WITHIN ** 2, self.exact)
        self.x += dx * better
        self.y += dy * better
        rejected = np.flatnonzero(~better)
        trial[:, rejected] = self.model[:, rejected]
        self.model = trial
        self.damping *= np.where(better, 0.1, 10.0)
        return (self.damping > _MAX_DAMPING) | (better & (gain <= _SETTLED_GAIN * trial[COST])) | \
            (~better & (length2 < _ROUNDING_STEP ** 2))

    def retire(self, settled):
        """Store the results of the live emissions in ``settled``; they are no longer live."""
        settled = np.flatnonzero(settled & self.live)
        if len(settled) == 0:
            return
        rows = self.index[settled]
        self.done_x[rows], self.done_y[rows] = self.x[settled], self.y[settled]
        self.done[:, rows] = self.model[:_OUTPUTS, settled]
        self.live[settled] = False

    def compact(self):
        """Drop the emissions no longer live once they are an eighth of the batch."""
        if np.count_nonzero(self.live) <= 0.875 * len(self.live):
            keep = np.flatnonzero(self.live)
            self.x, self.y, self.damping, self.index, self.exact = (
                part.take(keep) for part in (self.x, self.y, self.damping, self.index, self.exact))
            self.model, self.rows = self.model.take(keep, axis=1), self.rows.take(keep)
            self.live = np.ones(len(keep), dtype=bool)
