"""Maximum likelihood of the radio from every emission's detection pattern, with the density estimated at it.

The unknowns are the path loss A, n, the RSS noise sigma, the per-sensor gains g_i (zero mean), the reception
probability p and the emissions made per cell lambda; listmode.py gives their likelihood. The radio theta is
fitted by maximising the profile

    Phi(theta) = log L(theta, lambda_K(theta)),

where lambda_K(theta) is the density that the map's own estimator gives at theta (list-mode MLEM, K =
DENSITY_ITERATIONS iterations from a uniform start, under the sieve). An EM that alternates density and radio
steps was tried first: it climbs, but crawls, because every position is inferred with the radio being fitted
and the gains, sigma and the density near each AP only move together; it also ends wherever its start leads.
Phi is a function of theta alone, so a quasi-Newton method (L-BFGS-B, in units of about one standard error of
each part) climbs it directly. Its gradient is that of the likelihood at the density held fixed (Fisher's
identity: the expected complete-data score under the emissions' posterior positions), computed from the
tables below; it neglects how lambda_K moves with theta, which measured 5-20 % of the true slope.

The tables weigh every (AP, RSS, log-distance bin) by the expected emissions there that the AP reported at
that RSS, and every (AP, bin) by those it did not report (including the emissions nobody heard, lambda_c (1 -
S_c)): the likelihood's dependence on the radio is then a censored (Tobit) regression of RSS on log-distance
with soft distances, whose cost is independent of the number of emissions.

Standard errors come from the observed information of Phi: forward differences of its gradient at the fit
(one evaluation per fitted part), inverted with the gains' zero-sum constraint.
"""
from dataclasses import dataclass

import numpy as np

from ..core.optional import require
from ..core.progress import SILENT
from ..core.summation import dot, matmul
from ..paper import apollonius, regularize
from ..paper.pathloss import implied_a, implied_a_slope, log_distance_from_rss, rss_at, rss_at_log
from . import listmode
from .model import Radio, log_miss, log_report

DENSITY_ITERATIONS = 30
MAX_EVALUATIONS = 40             # plus 3 per fitted part
STALL_EVALUATIONS = 8            # stop when this many evaluations raised the best Phi by less than STALL_GAIN:
STALL_GAIN = 0.5                 # a likelihood ratio no test could tell from chance
SUPPORT_SLACK = 1.0              # supports are KEEP_SDS + this wide, so that the radio can move under them
MAX_RESTARTS = 20
MIN_PATTERNS = 10
_BOUNDS = {"a": (-150.0, 20.0), "n": (0.8, 8.0), "log_sigma": (np.log(0.3), np.log(25.0)),
           "logit_p": (-6.0, 4.6), "gain": (-20.0, 20.0)}    # p within 0.0025-0.99: no receiver hears all


@dataclass(frozen=True)
class Free:
    """Which parts of the radio the fit estimates (the others are held): a, n, sigma, gains (per-sensor gains,
    zero mean); reception: None (held), 'common' (one p for all APs) or 'per_ap'."""

    a: bool = True
    n: bool = True
    sigma: bool = True
    gains: bool = True
    reception: str = "common"

    def get(self, name):
        return getattr(self, name)


@dataclass
class Tables:
    """The expected emissions behind the radio step, as weighted entries: heard (AP row, RSS, log10 distance,
    weight: emissions at that distance of the AP that it reported at that RSS) and missed (AP row, log10
    distance, weight: emissions there it did not report)."""

    heard_ap: np.ndarray
    heard_rss: np.ndarray
    heard_log_d: np.ndarray
    heard_weight: np.ndarray
    missed_ap: np.ndarray
    missed_log_d: np.ndarray
    missed_weight: np.ndarray
    cell: float


def tables(pairs, patterns, cells, lam):
    """Tables at the posterior of (radio, lambda) that produced ``pairs``."""
    aps, levels, bins = pairs.slots.shape
    weight = listmode.posterior_weights(pairs, patterns, lam)
    slots = pairs.slots
    slot_weight = slots.weights(weight)
    heard = np.bincount(np.concatenate(slots.table_index), weights=slot_weight, minlength=aps * levels * bins)
    heard_at = np.bincount(np.concatenate(slots.ap_cell), weights=slot_weight, minlength=aps * len(cells))
    every = np.bincount(pairs.cell, weights=weight, minlength=len(cells)) + lam * (1.0 - pairs.heard)
    missed_at = np.maximum(every[None, :] - heard_at.reshape(aps, len(cells)), 0.0)
    missed = np.bincount((np.arange(aps)[:, None] * bins + cells.bin).ravel(), weights=missed_at.ravel(),
                         minlength=aps * bins)
    h = np.flatnonzero(heard > 0)
    ap, rest = np.divmod(h, levels * bins)
    level, b = np.divmod(rest, bins)
    m = np.flatnonzero(missed > 0)
    return Tables(ap, pairs.levels[level], b * listmode.LOG_STEP, heard[h], m // bins, (m % bins) * listmode.LOG_STEP,
                  missed[m], cells.grid.pixel)


class _Parameters:
    """The radio as a vector for the optimiser: the mean RSS at the start's detection range (where it equals
    the floor), n, log sigma, logit p (one or per AP), gains (per AP, centred), each part present only if it is
    fitted. The data fix the range at which the receivers stop hearing far better than A and n, so A and n
    trade along a ridge; the RSS at that range does not, and so leaves n nearly independent of it."""

    def __init__(self, radio, fit):
        self.radio, self.fit = radio, fit
        self.log_range = float(log_distance_from_rss(np.mean(radio.floor), radio.a, radio.n))
        self.aps = len(radio.gains)
        self.p_size = {"common": 1, "per_ap": self.aps}.get(fit.get("reception"), 0)
        self.g_size = self.aps if fit.get("gains") else 0

    def names(self):
        return ([name for name in ("a", "n", "log_sigma") if self.fit.get(name.replace("log_", ""))]
                + ["logit_p"] * self.p_size + ["gain"] * self.g_size)

    def vector_of(self, r):
        values = {"a": float(rss_at_log(self.log_range, r.a, r.n)), "n": r.n, "log_sigma": np.log(r.sigma)}
        head = [values[name] for name in self.names() if name in values]
        p = np.clip(r.reception, 1e-6, 1 - 1e-6)
        logit = np.log(p / (1 - p))
        tail = ([float(np.mean(logit))] if self.p_size == 1 else list(logit) if self.p_size else [])
        return np.array(head + tail + (list(r.gains) if self.g_size else []), dtype=float)

    def bounds(self):
        return [_BOUNDS[name] for name in self.names()]

    def a_gradient(self):
        """d A / d vector: A = RSS at range + 10 n log10(range)."""
        names = self.names()
        row = np.zeros(len(names))
        row[names.index("a")] = 1.0
        if "n" in names:
            row[names.index("n")] = implied_a_slope(self.log_range)
        return row

    def radio_of(self, x):
        r, values, at = self.radio, {}, 0
        for name in ("a", "n", "log_sigma"):
            if self.fit.get(name.replace("log_", "")):
                values[name], at = x[at], at + 1
        reception = r.reception
        if self.p_size:
            reception = np.broadcast_to(1.0 / (1.0 + np.exp(-x[at:at + self.p_size])), (self.aps,)).copy()
            at += self.p_size
        gains = x[at:at + self.aps] - np.mean(x[at:at + self.aps]) if self.g_size else r.gains
        n = float(values.get("n", r.n))
        a = float(implied_a(values["a"], self.log_range, n)) if "a" in values else r.a
        return r.with_(a=a, n=n,
                       sigma=float(np.exp(values.get("log_sigma", np.log(r.sigma)))), reception=reception,
                       gains=gains)

    def gradient_of(self, radio, d_a, d_n, d_sigma, d_p, d_gain):
        parts = []
        if self.fit.get("a"):
            parts.append([d_a])
        if self.fit.get("n"):
            # n moves with the RSS at the range held, so A moves by 10 log10(range) per unit of n
            parts.append([d_n + (d_a * implied_a_slope(self.log_range) if self.fit.get("a") else 0.0)])
        if self.fit.get("sigma"):
            parts.append([d_sigma * radio.sigma])
        if self.p_size:
            d_logit = d_p * radio.reception * (1.0 - radio.reception)
            parts.append([d_logit.sum()] if self.p_size == 1 else d_logit)
        if self.g_size:
            parts.append(d_gain - d_gain.mean())
        return np.concatenate([np.asarray(p, dtype=float) for p in parts]) if parts else np.zeros(0)


def radio_objective(table, radio):
    """The objective the tables weigh (to maximise) and its gradient in (A, n, sigma, p per AP, gain per AP)."""
    aps = len(radio.gains)
    ap, w = table.heard_ap, table.heard_weight
    sigma, by_sigma, by_n = radio.spread(table.heard_log_d, table.cell)
    value, d_mu, d_sigma = log_report(table.heard_rss, radio.mean(table.heard_log_d, ap), sigma, radio.width)
    per_ap = np.bincount(ap, weights=w, minlength=aps)
    wd, ws = w * d_mu, w * d_sigma
    total = dot(w, value) + dot(per_ap, np.log(radio.reception))
    d_a, d_n = wd.sum(), dot(ws, by_n) - dot(wd, implied_a_slope(table.heard_log_d))
    d_s = dot(ws, by_sigma)
    d_p = per_ap / radio.reception
    d_gain = np.bincount(ap, weights=wd, minlength=aps)

    ap, u = table.missed_ap, table.missed_weight
    sigma, by_sigma, by_n = radio.spread(table.missed_log_d, table.cell)
    m_value, m_mu, m_sigma, m_p = log_miss(radio.mean(table.missed_log_d, ap), radio.floor[ap], sigma,
                                           radio.width, radio.reception[ap])
    um, us = u * m_mu, u * m_sigma
    total += dot(u, m_value)
    d_a += um.sum()
    d_n += dot(us, by_n) - dot(um, implied_a_slope(table.missed_log_d))
    d_s += dot(us, by_sigma)
    d_p = d_p + np.bincount(ap, weights=u * m_p, minlength=aps)
    d_gain = d_gain + np.bincount(ap, weights=um, minlength=aps)
    return total, (float(d_a), float(d_n), d_s, d_p, d_gain)


def _curvature(table, radio, params):
    """Rough diagonal of minus the objective's second derivatives in the optimiser's variables (as if every
    RSS were heard without censoring), at least 1."""
    w = table.heard_weight
    per_ap = np.bincount(table.heard_ap, weights=w, minlength=params.aps)
    slope = implied_a_slope(table.heard_log_d) - implied_a_slope(params.log_range)
    variance = radio.sigma ** 2
    spread = dot(w, slope ** 2)
    parts = {"a": w.sum() / variance, "n": spread / variance, "log_sigma": 2.0 * w.sum()}
    diagonal = [parts[name] for name in params.names() if name in parts]
    if params.p_size:
        p_weight = per_ap * (1.0 - radio.reception)
        diagonal += [p_weight.sum()] if params.p_size == 1 else list(p_weight)
    if params.g_size:
        diagonal += list(per_ap / variance)
    return np.maximum(np.array(diagonal, dtype=float), 1.0)


class _Stop(Exception):
    """Raised inside the optimiser: Phi has stalled."""


class _Restart(Exception):
    """Raised inside the optimiser: the radio left the supports it started on."""


class Profile:
    """Phi and its approximate gradient at radios of one parametrisation, on supports rebuilt when the radio
    leaves them; remembers the best radio evaluated, with its density and pairs."""

    def __init__(self, patterns, cells, sieve, params, iterations=DENSITY_ITERATIONS, progress=SILENT):
        self.patterns, self.cells, self.sieve, self.params = patterns, cells, sieve, params
        self.iterations, self.progress = iterations, progress
        self.evaluations = 0
        self.budget = MAX_EVALUATIONS + 3 * len(params.names())
        self.best = None                      # (value, radio, f, pairs)
        self.record = []                      # the best Phi after each evaluation
        self.support = self._support_at(params.radio)

    def _support_at(self, radio):
        return listmode.pair_likelihood(self.patterns, self.cells, radio, keep=listmode.KEEP_SDS + SUPPORT_SLACK)

    def at(self, radio):
        """(Phi, gradient in the optimiser's vector, density's sieve coefficients, pairs) at ``radio``."""
        self.evaluations += 1
        self.progress.step(min(self.evaluations / self.budget, 1.0))
        pairs = listmode.pair_likelihood(self.patterns, self.cells, radio, support=self.support)
        f, _ = listmode.mlem(pairs, self.patterns, self.cells, self.sieve,
                             listmode.starting_density(pairs, self.patterns, self.cells), self.iterations)
        lam = self.sieve.forward(f).ravel()[self.cells.index]
        value = listmode.log_likelihood(pairs, self.patterns, lam)
        _, grads = radio_objective(tables(pairs, self.patterns, self.cells, lam), radio)
        gradient = self.params.gradient_of(radio, *grads)
        if self.best is None or value > self.best[0]:
            self.best = (value, radio, f, pairs)
        self.record.append(self.best[0])
        return value, gradient, f, pairs

    @property
    def stalled(self):
        return (len(self.record) > STALL_EVALUATIONS
                and self.record[-1] - self.record[-1 - STALL_EVALUATIONS] < STALL_GAIN)

    def stale(self, radio):
        return _support_stale(radio, self.support.radio, self.cells)

    def rebuild(self, radio):
        self.support = self._support_at(radio)
        self.best, self.record = None, []


@dataclass
class JointFit:
    """radio: the fitted radio; f: sieve coefficients of the density at it; pairs: its likelihood there;
    log_likelihood: Phi there; evaluations; converged (Phi stalled, not the evaluation budget spent); profile:
    the Profile (for the standard errors)."""

    radio: Radio
    f: np.ndarray
    pairs: listmode.Pairs
    log_likelihood: float
    evaluations: int
    converged: bool
    profile: Profile


def fit_radio(patterns, cells, sieve, start, free, iterations=None, progress=SILENT):
    """Maximise Phi over the parts of the radio that ``free`` (a Free) names, from radio ``start``."""
    params = _Parameters(start, free)
    profile = Profile(patterns, cells, sieve, params, DENSITY_ITERATIONS if iterations is None else iterations,
                      progress)
    radio, converged = start, False
    for _ in range(MAX_RESTARTS + 1):
        try:
            _climb(profile, params, radio)
            converged = True
            break
        except _Stop:
            converged = True
            break
        except _Restart as restart:
            radio = restart.args[0]
            profile.rebuild(radio)
    if profile.best is None:
        profile.at(radio)
    value, radio, f, pairs = profile.best
    return JointFit(radio, f, pairs, value, profile.evaluations, converged and profile.evaluations < profile.budget,
                    profile)


def _climb(profile, params, radio):
    """L-BFGS-B on -Phi in units of about one standard error (from the tables at ``radio``)."""
    value, _, f, pairs = profile.at(radio)
    lam = profile.sieve.forward(f).ravel()[profile.cells.index]
    unit = 1.0 / np.sqrt(_curvature(tables(pairs, profile.patterns, profile.cells, lam), radio, params))

    def negative(y):
        if profile.evaluations >= profile.budget or profile.stalled:
            raise _Stop()
        value, gradient, _, _ = profile.at(params.radio_of(y * unit))
        return -value, -gradient * unit

    def check(y):
        candidate = params.radio_of(y * unit)
        if profile.stale(candidate):
            raise _Restart(candidate)

    bounds = [(low / u, high / u) for (low, high), u in zip(params.bounds(), unit)]
    require("scipy.optimize").minimize(negative, params.vector_of(radio) / unit, jac=True, method="L-BFGS-B",
                                       bounds=bounds, callback=check,
                                       options={"maxiter": MAX_EVALUATIONS, "gtol": 1e-3, "ftol": 1e-12})


def covariance(fit):
    """Covariance of the fitted parts (the optimiser's vector) from the observed information of Phi: forward
    differences of its gradient, a step of about one standard error per part (one evaluation per part); the
    gains' common direction (fixed by their zero mean) is set aside before inverting. NaN where the information
    is not positive definite."""
    profile, params = fit.profile, fit.profile.params
    x = params.vector_of(fit.radio)
    _, base, f, pairs = profile.at(fit.radio)
    lam = profile.sieve.forward(f).ravel()[profile.cells.index]
    unit = 1.0 / np.sqrt(_curvature(tables(pairs, profile.patterns, profile.cells, lam), fit.radio, params))
    hessian = np.zeros((len(x), len(x)))
    for j in range(len(x)):
        step = np.zeros(len(x))
        step[j] = unit[j]
        hessian[:, j] = (profile.at(params.radio_of(x + step))[1] - base) / unit[j]
    information = -0.5 * (hessian + hessian.T)
    gains = np.array([name == "gain" for name in params.names()])
    if gains.any():
        # the zero-sum constraint: no information is needed along the gains' common direction
        information[np.ix_(gains, gains)] += np.mean(np.diag(information)[gains]) / gains.sum()
    try:
        cov = np.linalg.inv(information)
    except np.linalg.LinAlgError:
        return np.full_like(information, np.nan)
    if gains.any():
        centre = np.eye(gains.sum()) - 1.0 / gains.sum()
        cov[np.ix_(gains, gains)] = matmul(matmul(centre, cov[np.ix_(gains, gains)]), centre)
        cov[np.ix_(gains, ~gains)] = matmul(centre, cov[np.ix_(gains, ~gains)])
        cov[np.ix_(~gains, gains)] = cov[np.ix_(gains, ~gains)].T
    if np.any(np.diag(cov) <= 0):
        return np.full_like(cov, np.nan)
    return cov


def _support_stale(radio, built, cells):
    """Whether supports built at radio ``built`` (KEEP_SDS + SUPPORT_SLACK wide) may miss cells that matter at
    ``radio``: its rings moved (the mean RSS shifted, out to twice the detection range of ``built``) by more
    than the margin between the width they were built with and the KEEP_SDS sigma needed now."""
    reach = min(float(log_distance_from_rss(np.mean(built.floor), built.a, built.n)) + np.log10(2.0),
                float(cells.log_d.max()))
    shift = np.abs(radio.a + radio.gains - built.a - built.gains) + abs(radio.n - built.n) * implied_a_slope(reach)
    margin = (listmode.KEEP_SDS + SUPPORT_SLACK) * built.sigma - listmode.KEEP_SDS * radio.sigma
    return float(shift.max()) > margin


START_SIGMA = 4.0       # dB: the fit starts wide, so that early positions are not over-confident
START_RECEPTION = 0.9


def starting_radio(patterns, ap_xy, n, floor, width):
    """Where the fit starts: the given n; A the mean A implied by the Circles of Apollonius at that n over the
    patterns heard by 3+ APs (paper §4.6; the Localization tool's A when it does not calibrate), or, with fewer
    than MIN_PATTERNS of them, the A that puts the floor at the median distance between neighbouring APs;
    sigma START_SIGMA, p START_RECEPTION, no gains."""
    many = patterns.size >= 3
    a = np.nan
    if many.sum() >= MIN_PATTERNS:
        heard = apollonius.HeardEmissions(np.flatnonzero(many), patterns.ap[many], patterns.rss[many])
        located = apollonius.localize(heard, ap_xy, n)
        good = located.good & np.isfinite(located.a_implied)
        if good.sum() >= MIN_PATTERNS:
            a = float(np.average(located.a_implied[good], weights=patterns.count[many][good]))
    if not np.isfinite(a):
        a = floor - rss_at(2.0 * regularize.prior_sd(ap_xy), 0.0, n)
    return Radio.make(a, n, START_SIGMA, len(ap_xy), floor=floor, width=width, reception=START_RECEPTION)
