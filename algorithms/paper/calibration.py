"""Ground-truth-free calibration of the path-loss model A, n from the localizations (paper §4.6, Figure 6).

The paper fits RSS on log10(d) over the localized emissions and re-localizes with the new n until n settles.
With Apollonius localization the emission's own A cancels, so with exactly 3 APs every position fits its RSS
exactly for *any* n, and that loop has no reason to stop at the true n: it can collapse (n -> 0.6 for a true
2.6 on a simulation). What does pin A and n is that A is one number for the whole site. So this
module minimises the joint least-squares cost of every RSS value,

    sum over emissions e and their APs i of (RSS_ei - A + 10 n log10 |x_e - p_i|)^2,

over the global (A, n) and every emission's position x_e (variable projection: for given A, n each x_e is
refined independently by the batched Levenberg-Marquardt of ``apollonius.refine``; A, n take Gauss-Newton steps
on the reduced cost whose Hessian is the Schur complement of the positions). Each 3-AP emission then carries
1 degree of freedom about (A, n), each k-AP emission k - 2.

Two biases remain: receivers hear far emissions only when their noise is favourable (selection at the
sensitivity floor), which flattens the fit, and every emission brings its own unknown position, which absorbs
part of the noise (the incidental-parameter bias of errors-in-variables), which steepens it. ``calibrate``
refits on the RSS values the fitted model puts CUTOFF_SDS noise sds above the weakest RSS heard (selection on
the model's prediction, not on the measurement, so the kept values are unbiased), then measures what is left:
it simulates RSS from the fit itself (fitted positions, A, n and noise, values below the floor redrawn),
refits, subtracts the refits' mean shift (the bias the simulation reproduces) and adds shift and spread to the
Schur-complement standard errors. A fit is handed on only
when it rests on 4+-AP emissions, converged, has a plausible n and an n standard error of at most MAX_N_STDERR.

Measured in tests/unit/paper/test_calibration.py (exact on noise-free RSS; simulated sites) and
tests/realdata/test_unist_localization.py (refused on the UNIST capture); the figures are in the README's
"Known limits".
"""
from dataclasses import dataclass

import numpy as np

from ..core.progress import SILENT
from . import apollonius, pathloss
from .pathloss import DEFAULT_A, DEFAULT_N

PLAUSIBLE_N = (1.5, 5.0)
MAX_N_STDERR = 0.3
MIN_EMISSIONS = 10
DEFAULT_REPLICAS = 3
CUTOFF_SDS = 2.0
_CUTOFF_ROUNDS = 2
_MAX_ITERATIONS = 60
_N_TOLERANCE = 1e-4
_N_STALL = 1e-3

OK, UNCERTAIN, IMPLAUSIBLE, NOT_CONVERGED, TOO_FEW = "ok", "uncertain", "implausible", "not converged", "too few"


@dataclass
class Calibration:
    """Result of ``calibrate``.

    a, n: the values to use downstream (the fitted ones when status is OK, else the user's);
    fitted_a, fitted_n, a_stderr, n_stderr: the fit itself (NaN when there was none); status: OK, UNCERTAIN,
    IMPLAUSIBLE, NOT_CONVERGED or TOO_FEW; message: what happened, in words for the user;
    emissions: emissions used in the fit; residual_sd: RSS residual sd (dB) of the fit.
    """

    a: float
    n: float
    fitted_a: float
    fitted_n: float
    a_stderr: float
    n_stderr: float
    status: str
    message: str
    emissions: int
    residual_sd: float

    @property
    def accepted(self):
        return self.status == OK


def calibrate(heard, ap_xy, n=DEFAULT_N, a=None, max_residual=apollonius.DEFAULT_MAX_RESIDUAL,
              floor=None, replicas=DEFAULT_REPLICAS, seed=0, progress=SILENT):
    """Fit A and n from the emissions of ``heard`` (apollonius.HeardEmissions) without ground truth.

    ``n`` and ``a`` are the user's values: the starting point, and what is handed on whenever the fit is not
    trustworthy: too few good emissions, no convergence, n outside PLAUSIBLE_N, or n_stderr above
    MAX_N_STDERR (``a`` None: the mean A implied by the well-localized emissions at the user's n).
    Emissions heard by 4+ APs are used alone when there are MIN_EMISSIONS of them (they over-determine their
    positions); otherwise the 3-AP ones are used. ``floor``: the receivers' sensitivity
    (dBm), by default the weakest RSS heard; ``replicas`` simulated refits measure the fit's bias and spread
    (see the module docstring). Returns (Calibration, Localization with the n handed on).
    """
    ap_xy = np.asarray(ap_xy, dtype=float)
    first = apollonius.localize(heard, ap_xy, n, max_residual)
    usable = first.good & np.isfinite(first.a_implied)
    if a is None:
        a = float(np.mean(first.a_implied[usable])) if usable.any() else DEFAULT_A
    redundant = usable & (first.n_aps >= 4)
    chosen = redundant if redundant.sum() >= MIN_EMISSIONS else usable
    if chosen.sum() < MIN_EMISSIONS:
        fit = _rejected(a, n, TOO_FEW, f"only {int(chosen.sum())} well-localized emissions (at least "
                        f"{MIN_EMISSIONS} needed); kept A = {a:g} dBm, n = {n:g}.", int(chosen.sum()))
        return fit, first
    subset = apollonius.HeardEmissions(heard.label[chosen], heard.ap[chosen], heard.rss[chosen])
    origin, ap_offsets, rss, mask = apollonius.local_frame(subset, ap_xy)
    fit, xy = _fit_from(first.xy[chosen] - origin, first.a_implied[chosen], n, ap_offsets, rss, mask, progress)
    if fit.status == OK:
        # Restart from a fresh Apollonius localization at the fitted n: a position stuck in the wrong one
        # of its two candidates would otherwise bias the fit. Where the fresh one is degenerate (e.g. run off
        # to a point kilometres away) the fitted position is kept: such points dominated the cost and stalled
        # the line search, so that the outcome hung on rounding (on the UNIST capture it flipped between
        # "uncertain" and "not converged" with the iteration cap of the localization).
        restart = apollonius.localize(subset, ap_xy, fit.fitted_n)
        xy = np.where((restart.quality != apollonius.DEGENERATE)[:, None], restart.xy - origin, xy)
        fit, xy = _fit_from(xy, restart.a_implied, fit.fitted_n, ap_offsets, rss, mask, progress)
    floor = float(np.nanmin(heard.rss)) if floor is None else float(floor)
    for _ in range(_CUTOFF_ROUNDS if fit.status == OK else 0):
        fit, xy, mask = _refit_above_floor(fit, xy, ap_offsets, rss, mask, floor, progress)
    if fit.status == OK:
        _self_check(fit, ap_offsets, xy, mask, floor, replicas, np.random.default_rng(seed))
    fit = _judge(fit, a, n, redundant.sum() >= MIN_EMISSIONS)
    final = apollonius.localize(heard, ap_xy, fit.n, max_residual) if fit.accepted else first
    return fit, final


def _refit_above_floor(fit, xy, ap_offsets, rss, mask, floor, progress):
    """Refit on the RSS values the fitted model puts at least CUTOFF_SDS noise sds above the floor, where
    the receivers' cut-off cannot have selected the noise; emissions left with fewer than 3 values drop out.
    Selecting on the model's prediction (not on the measured RSS) keeps the kept values unbiased."""
    predicted = pathloss.rss_at_log(_log_distance(xy, ap_offsets), fit.fitted_a, fit.fitted_n)
    trusted = mask & (predicted >= floor + CUTOFF_SDS * fit.residual_sd)
    keep = trusted.sum(axis=1) >= 3
    if keep.sum() < MIN_EMISSIONS:
        return fit, xy, mask
    trusted_fit, trusted_xy = _joint_fit(ap_offsets[keep], rss[keep], trusted[keep], xy[keep], fit.fitted_a,
                                         fit.fitted_n, progress)
    if trusted_fit.status != OK:
        return fit, xy, mask
    xy = xy.copy()
    xy[keep] = trusted_xy
    return trusted_fit, xy, trusted & keep[:, None]


def _fit_from(xy, a_implied, n, ap_offsets, rss, mask, progress):
    """The joint fit started from Apollonius positions ``xy`` (local frame) and the median of their A_e."""
    return _joint_fit(ap_offsets, rss, mask, xy, float(np.nanmedian(a_implied)), n, progress)


def _joint_fit(ap_offsets, rss, mask, xy, a, n, progress):
    """Variable-projection Gauss-Newton on (A, n); positions refined with A, n fixed at every step.
    Returns (Calibration, positions)."""
    theta = np.array([a, n], dtype=float)
    converged = False
    for iteration in range(1, _MAX_ITERATIONS + 1):
        progress.step(iteration / _MAX_ITERATIONS)
        xy, _, _ = apollonius.refine(xy, ap_offsets, rss, mask, theta[1], theta[0])
        _, schur, gradient = _reduced_problem(xy, ap_offsets, rss, mask, theta)
        step = _solve_or_nan(schur, gradient)
        if not np.all(np.isfinite(step)):
            break
        theta, xy, moved = _line_search(theta, step, xy, ap_offsets, rss, mask)
        if not moved:  # no step along the Gauss-Newton direction lowers the cost: at the minimum if it was small
            converged = abs(step[1]) < _N_STALL
            break
        if abs(step[1]) < _N_TOLERANCE and abs(step[0]) < 10 * _N_TOLERANCE:
            converged = True
            break
    dof = int(mask.sum()) - 2 * len(xy) - 2
    cost, schur, _ = _reduced_problem(xy, ap_offsets, rss, mask, theta)
    variance = cost / dof if dof > 0 else np.nan
    cov = variance * _solve_or_nan(schur, np.eye(2))
    # an indefinite Schur complement (a saddle, not a minimum) has no standard error: NaN, and the fit is refused
    a_stderr, n_stderr = (float(np.sqrt(v)) if v >= 0 else np.nan for v in np.diag(cov))
    fit = Calibration(float(theta[0]), float(theta[1]), float(theta[0]), float(theta[1]),
                      a_stderr, n_stderr, OK if converged else NOT_CONVERGED,
                      "", len(xy), float(np.sqrt(variance)))
    return fit, xy


def _reduced_problem(xy, ap_offsets, rss, mask, theta):
    """Cost, Schur complement (2 x 2) and descent direction of (A, n) with the positions eliminated."""
    f, grad_x, log_d = apollonius.emission_model(xy, ap_offsets, rss, mask, theta[1])
    residual = np.where(mask, f - theta[0], 0.0)
    jac_theta = np.where(mask[..., None], np.stack([-np.ones_like(log_d), pathloss.implied_a_slope(log_d)], axis=-1),
                         0.0)
    h_xx = np.einsum("eki,ekj->eij", grad_x, grad_x) + 1e-9 * np.eye(2)
    h_xt = np.einsum("eki,ekj->eij", grad_x, jac_theta)
    g_x = -np.einsum("eki,ek->ei", grad_x, residual)
    g_t = -np.einsum("eki,ek->i", jac_theta, residual)
    inv_h_xt = np.stack([apollonius.solve2(h_xx, h_xt[:, :, j]) for j in range(2)], axis=-1)
    inv_g_x = apollonius.solve2(h_xx, g_x)
    ok = np.all(np.isfinite(inv_h_xt), axis=(1, 2)) & np.all(np.isfinite(inv_g_x), axis=1)
    schur = np.einsum("eki,ekj->ij", jac_theta, jac_theta) - np.einsum("eki,ekj->ij", h_xt[ok], inv_h_xt[ok])
    gradient = g_t - np.einsum("eki,ek->i", h_xt[ok], inv_g_x[ok])
    return float((residual ** 2).sum()), schur, gradient


def _line_search(theta, step, xy, ap_offsets, rss, mask):
    """Halve the (A, n) step until the cost with re-refined positions drops (keeps the fit monotone).
    Returns (A and n, positions, whether a step was taken)."""
    cost = _reduced_problem(xy, ap_offsets, rss, mask, theta)[0]
    for _ in range(12):
        trial = theta + step
        if trial[1] > 0:
            trial_xy, _, _ = apollonius.refine(xy, ap_offsets, rss, mask, trial[1], trial[0])
            if _reduced_problem(trial_xy, ap_offsets, rss, mask, trial)[0] <= cost:
                return trial, trial_xy, True
        step = step / 2.0
    return theta, xy, False


def _self_check(fit, ap_offsets, xy, mask, floor, replicas, rng):
    """Refit RSS simulated from the fit (same emissions and APs, fitted noise, values below ``floor`` redrawn
    as a receiver would not have kept them). The refits' mean shift estimates the fit's bias and is subtracted
    (a first-order parametric-bootstrap correction: on simulations it removes a third to two thirds of the
    bias), and shift and spread are folded into the standard errors, since the correction is only partial.
    """
    if replicas <= 0 or not np.isfinite(fit.residual_sd):
        return
    mean = pathloss.rss_at_log(_log_distance(xy, ap_offsets), fit.fitted_a, fit.fitted_n)
    refits = []
    for _ in range(replicas):
        rss = np.where(mask, _draw_above(mean, fit.residual_sd, floor, rng), 0.0)
        refit, _ = _joint_fit(ap_offsets, rss, mask, xy, fit.fitted_a, fit.fitted_n, SILENT)
        refits.append((refit.fitted_a, refit.fitted_n))
    refits = np.array(refits)
    shift = refits.mean(axis=0) - (fit.fitted_a, fit.fitted_n)
    spread = refits.std(axis=0)
    fit.a_stderr = float(np.sqrt(fit.a_stderr ** 2 + shift[0] ** 2 + spread[0] ** 2))
    fit.n_stderr = float(np.sqrt(fit.n_stderr ** 2 + shift[1] ** 2 + spread[1] ** 2))
    fit.a = fit.fitted_a = float(fit.fitted_a - shift[0])
    fit.n = fit.fitted_n = float(fit.fitted_n - shift[1])


def _draw_above(mean, sd, floor, rng, rounds=50):
    """Normal draws conditioned on being >= floor (rejection; what a receiver with that sensitivity keeps)."""
    draw = mean + sd * rng.standard_normal(mean.shape)
    for _ in range(rounds):
        low = draw < floor
        if not low.any():
            break
        draw[low] = mean[low] + sd * rng.standard_normal(int(low.sum()))
    return np.maximum(draw, floor)


def _log_distance(xy, ap_offsets):
    return pathloss.log_distance(((xy[:, None, :] - ap_offsets) ** 2).sum(axis=-1))


def _solve_or_nan(matrix, rhs):
    try:
        return np.linalg.solve(matrix, rhs)
    except np.linalg.LinAlgError:
        return np.full(np.shape(rhs), np.nan)


def _judge(fit, a, n, redundant):
    """Hand the fit on only when it is trustworthy; otherwise keep the user's values and say why."""
    low, high = PLAUSIBLE_N
    figures = (f"fitted A = {fit.fitted_a:.2f} ± {fit.a_stderr:.2f} dBm, n = {fit.fitted_n:.3f} ± "
               f"{fit.n_stderr:.3f} from {fit.emissions} emissions "
               f"({'heard by 4+ APs' if redundant else 'heard by 3 APs: no redundancy'})")
    kept = f"kept the given A = {a:g} dBm, n = {n:g}"
    if fit.status == NOT_CONVERGED:
        return _replace(fit, a, n, NOT_CONVERGED, f"the fit did not converge ({figures}); {kept}.")
    if not low <= fit.fitted_n <= high:
        return _replace(fit, a, n, IMPLAUSIBLE, f"implausible path-loss exponent ({figures}; outdoor radio "
                        f"has {low:g} <= n <= {high:g}); {kept}.")
    if not redundant:
        return _replace(fit, a, n, UNCERTAIN, f"not handed on ({figures}): with exactly 3 APs per emission "
                        "every position adapts to the n it is given, and simulations show such fits off by more "
                        f"than {MAX_N_STDERR:g} in n; localize with emissions heard by 4+ APs, or measure A and n "
                        f"on site; {kept}.")
    if not fit.n_stderr <= MAX_N_STDERR:
        return _replace(fit, a, n, UNCERTAIN, f"the data do not determine n ({figures}; standard error above "
                        f"{MAX_N_STDERR:g}); {kept}.")
    fit.message = f"calibrated: {figures}."
    return fit


def _replace(fit, a, n, status, message):
    fit.a, fit.n, fit.status, fit.message = float(a), float(n), status, message
    return fit


def _rejected(a, n, status, message, emissions):
    nan = float("nan")
    return Calibration(float(a), float(n), nan, nan, nan, nan, status, message, emissions, nan)
