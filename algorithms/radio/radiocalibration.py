"""Self-calibration of the radio for the maximum-likelihood map (beyond the paper): which parts of the joint fit
(radiofit.py) the data support, how well, and what is handed on to the other tools.

1. A, n, sigma and the reception probabilities p_i (one per AP by default: sensors differ in how often they
   report what they could hear, some are down part of the time) are fitted with the gains held at zero.
2. With GAINS, the per-sensor gains are fitted, first with n held at the given value (a fit without gains bends
   n to absorb them), then with the rest, and kept only when they raise the log-likelihood by more than the
   Bayesian information criterion asks, (APs - 1) log(emissions) / 2: a layout whose APs share few emissions
   cannot tell a sensor's gain from its crowd. (A chi-square test is too lenient here: the density is not the
   exact maximum, and the model's small misfits, e.g. clients behind walls, are always worth a few tenths of a
   dB of gain.) Gains are not fitted on a base fit that is already refused as implausible.
3. Standard errors from the observed information of the profile likelihood (radiofit.covariance). They treat
   the emissions as independent; a client makes many from about one place, so the fits of simulated sites
   spread 2-4 times wider (sitecheck.py measures the spread on the user's own layout).
4. Judgement. The map always uses the fitted radio: where the data leave A and n on a ridge, every point of it
   explains the emissions about equally well, and so gives about the same map. What is handed on to the other
   tools (Bowl, Localization) is the fitted A and n only when the data determine them: n within 1.5-5
   (outdoor radio), standard errors at most MAX_N_STDERR and MAX_A_STDERR dB, and a reception probability of at
   least MIN_RECEPTION; otherwise the given n with the A the Circles of Apollonius imply at it (the Localization
   tool's rule without calibration). Each case says why, in words.
"""
from dataclasses import dataclass

import numpy as np

from ..core.progress import SILENT
from ..core.summation import dot, matmul
from ..paper.pathloss import implied_a, log_distance_from_rss, rss_at_log
from . import radiofit
from .model import Radio

OK, UNCERTAIN, IMPLAUSIBLE, NOT_CONVERGED, TOO_FEW = "ok", "uncertain", "implausible", "not converged", "too few"
PLAUSIBLE_N = (1.5, 5.0)
# The standard errors assume independent emissions; a client makes many from about one place, and on simulated
# sites whose clients made 20 emissions each the fits spread 2-4 times wider than them: the limits are halved.
MAX_N_STDERR = 0.05
MAX_A_STDERR = 0.5        # dB
MAX_GAIN_STDERR = 1.0     # dB: a gain less certain than this is reported as not determined
MIN_GAIN_PRS = 100        # nor is the gain of an AP that heard fewer PRs (its standard error is then unreliable)
MIN_EMISSIONS = 100
MIN_RECEPTION = 0.3       # below: most silences are not what the model says they are


@dataclass
class RadioFit:
    """The calibration's result.

    radio: the radio the map uses (radio.Radio: A, n, sigma, gains, reception, floor); a, n: the values handed
    on to the other tools (the fitted ones when status is OK, else the given n with the A the Circles of
    Apollonius imply at it); stderr: standard errors by name ('a', 'n', 'sigma', 'reception': floats; 'gains':
    per AP; NaN where not fitted or not determined); gains_used: whether the gains passed their test;
    gains_statistic: 2 x the log-likelihood they gained, against gains_threshold; status: OK, UNCERTAIN,
    IMPLAUSIBLE, NOT_CONVERGED or TOO_FEW; message: what happened, for the user; emissions; evaluations:
    likelihood evaluations spent; log_likelihood; joint: the radiofit.JointFit behind it (None without a
    fit); prs_per_ap: PRs each AP heard. ``gains`` are the gains handed on."""

    radio: Radio
    a: float
    n: float
    stderr: dict
    gains_used: bool
    gains_statistic: float
    gains_threshold: float
    status: str
    message: str
    emissions: int
    evaluations: int
    log_likelihood: float
    joint: object = None
    prs_per_ap: np.ndarray = None

    @property
    def accepted(self):
        return self.status == OK

    def gains_determined(self):
        """Per AP: whether its gain is known to MAX_GAIN_STDERR dB (False everywhere without gains)."""
        se = np.asarray(self.stderr["gains"], dtype=float)
        heard = np.full(len(se), np.inf) if self.prs_per_ap is None else self.prs_per_ap
        return self.gains_used & np.isfinite(se) & (se <= MAX_GAIN_STDERR) & (heard >= MIN_GAIN_PRS)

    @property
    def gains(self):
        """The gains handed on to the other tools (dB per AP): the determined ones of an accepted fit, else 0."""
        return np.where(self.gains_determined() & self.accepted, self.radio.gains, 0.0)


def calibrate(patterns, cells, sieve, start, gains=True, reception="per_ap", stderr=True, progress=SILENT):
    """Fit the radio from ``patterns`` (listmode.Patterns) on ``cells`` from radio ``start`` (its n is the
    user's); gains: also fit per-sensor gains; reception: 'common' or 'per_ap'. Returns a RadioFit."""
    emissions = int(patterns.emissions)
    if emissions < MIN_EMISSIONS:
        return _unfitted(start, emissions, f"only {emissions} emissions (at least {MIN_EMISSIONS} needed to fit "
                         f"the radio); mapped with A = {start.a:.1f} dBm, n = {start.n:g}, sigma = "
                         f"{start.sigma:g} dB, p = {float(np.mean(start.reception)):.2f}.")
    base = radiofit.Free(gains=False, reception=reception)
    fit = radiofit.fit_radio(patterns, cells, sieve, start, base, progress=progress.part(0.0, 0.4))
    statistic, threshold, used = np.nan, np.nan, False
    if gains and _plausible(fit.radio):     # gains cannot mend a model that does not describe the capture
        # gains first with n held at the given value: a fit without gains bends n to absorb them, and from
        # there the gains can settle into a poorer maximum
        held = radiofit.fit_radio(patterns, cells, sieve, _at_n(fit.radio, start.n),
                                  radiofit.Free(n=False, reception=reception), progress=progress.part(0.4, 0.6))
        with_gains = radiofit.fit_radio(patterns, cells, sieve, held.radio, radiofit.Free(reception=reception),
                                        progress=progress.part(0.6, 0.8))
        without = with_gains.profile.at(fit.radio)[0]        # on the same supports, so the two compare
        statistic = 2.0 * (with_gains.log_likelihood - without)
        threshold = float((len(start.gains) - 1) * np.log(emissions))
        used = bool(statistic > threshold)
        if used:
            fit = with_gains
    result = _judged(fit, start, emissions, used, statistic, threshold, stderr, progress.part(0.8, 1.0))
    result.prs_per_ap = patterns.prs_per_ap(len(start.gains))
    return result


def _plausible(radio):
    low, high = PLAUSIBLE_N
    return low <= radio.n <= high and float(np.mean(radio.reception)) >= MIN_RECEPTION


def _at_n(radio, n):
    """``radio`` moved along its ridge to exponent n: the mean RSS at its detection range kept."""
    log_range = log_distance_from_rss(float(np.mean(radio.floor)), radio.a, radio.n)
    return radio.with_(n=float(n), a=float(implied_a(rss_at_log(log_range, radio.a, radio.n), log_range, n)))


def _judged(fit, start, emissions, gains_used, statistic, threshold, stderr, progress):
    """The RadioFit of a JointFit: standard errors, status and message."""
    errors = _standard_errors(fit, progress) if stderr else _no_errors(fit.radio)
    radio = fit.radio
    figures = _figures(radio, errors)
    gains_text = _gains_text(gains_used, statistic, threshold)
    low, high = PLAUSIBLE_N
    a, n = radio.a, radio.n
    kept = f"the map uses it; the other tools keep n = {start.n:g}; {gains_text}"
    if not low <= radio.n <= high:
        status = IMPLAUSIBLE
        message = (f"implausible path-loss exponent ({figures}; outdoor radio has {low:g} <= n <= {high:g}): "
                   f"the log-distance model does not describe this capture well; {kept}.")
        a, n = start.a, start.n
    elif float(np.mean(radio.reception)) < MIN_RECEPTION:
        status = IMPLAUSIBLE
        message = (f"the fit explains the APs' silences by a reception probability of only "
                   f"{float(np.mean(radio.reception)):.2f} ({figures}): the receivers miss most emissions the "
                   f"model says they could hear, so its detection does not describe this capture (sensors down "
                   f"part of the time, emissions split across time slots, or far weaker signals near the APs than "
                   f"the path loss says); {kept}.")
        a, n = start.a, start.n
    elif not fit.converged:
        status = NOT_CONVERGED
        message = (f"the fit did not settle within {fit.profile.budget} likelihood evaluations ({figures}); "
                   f"{kept}.")
        a, n = start.a, start.n
    elif not (errors["n"] <= MAX_N_STDERR and errors["a"] <= MAX_A_STDERR):
        status = UNCERTAIN
        message = (f"the data do not pin A and n separately ({figures}; needed: n to {MAX_N_STDERR:g}, A to "
                   f"{MAX_A_STDERR:g} dB): emissions heard by one or two APs fix the range at which the receivers "
                   f"stop hearing, A - 10 n log10(d), better than A and n themselves; any radio along that ridge "
                   f"gives about the same map, so {kept}.")
        a, n = start.a, start.n
    else:
        status = OK
        message = f"calibrated from {emissions} emissions: {figures}; {gains_text}."
    return RadioFit(radio, float(a), float(n), errors, gains_used, float(statistic), float(threshold), status,
                    message, emissions, fit.profile.evaluations, float(fit.log_likelihood), fit)


def _standard_errors(fit, progress):
    """Standard errors by name from radiofit.covariance, in dB for A, sigma and the gains."""
    cov = radiofit.covariance(fit)
    params = fit.profile.params
    names = params.names()
    sd = np.sqrt(np.maximum(np.diag(cov), 0.0)) if np.all(np.isfinite(cov)) else np.full(len(names), np.nan)
    errors = _no_errors(fit.radio)
    radio = fit.radio
    for i, name in enumerate(names):
        if name == "n":
            errors[name] = float(sd[i])
        elif name == "log_sigma":
            errors["sigma"] = float(sd[i] * radio.sigma)
    if "a" in names:
        row = params.a_gradient()                    # A from the optimiser's vector (it holds the RSS at range)
        errors["a"] = float(np.sqrt(max(dot(row, matmul(cov, row[:, None])[:, 0]), 0.0))) if np.all(np.isfinite(cov)) \
            else float("nan")
    logit = [i for i, name in enumerate(names) if name == "logit_p"]
    if logit:
        p = radio.reception[:len(logit)]
        errors["reception"] = float(np.max(sd[logit] * p * (1.0 - p)))
    gains = [i for i, name in enumerate(names) if name == "gain"]
    if gains:
        errors["gains"] = sd[gains]
    progress.step(1.0)
    return errors


def _no_errors(radio):
    nan = float("nan")
    return {"a": nan, "n": nan, "sigma": nan, "reception": nan, "gains": np.full(len(radio.gains), nan)}


def _figures(radio, errors):
    p = radio.reception
    spread = f" ({p.min():.2f}-{p.max():.2f} over the APs)" if np.ptp(p) > 0.005 else ""
    return (f"A = {radio.a:.1f} ± {errors['a']:.1f} dBm, n = {radio.n:.2f} ± {errors['n']:.2f}, sigma = "
            f"{radio.sigma:.1f} ± {errors['sigma']:.1f} dB, p = {float(np.mean(p)):.2f}{spread}")


def _gains_text(used, statistic, threshold):
    if not np.isfinite(statistic):
        return "per-sensor gains not fitted (not asked for, or the radio fit without them is already refused)"
    if used:
        return f"per-sensor gains fitted (likelihood-ratio statistic {statistic:.0f} > {threshold:.0f})"
    return (f"per-sensor gains not used: they explain no more than chance would (likelihood-ratio statistic "
            f"{statistic:.1f} <= {threshold:.1f})")


def _unfitted(start, emissions, message):
    nan = float("nan")
    return RadioFit(start, start.a, start.n, _no_errors(start), False, nan, nan, TOO_FEW, message, emissions, 0, nan)
