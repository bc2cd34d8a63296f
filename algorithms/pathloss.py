"""The log-distance ("Friis" in the paper) path-loss model, paper §4.1, d0 = 1 m.

RSS = A - 10 n log10(d), inverted d = 10^((A - RSS) / (10 n)).
"""
import numpy as np

from .core.errors import InputError

DEFAULT_A = -30.0
DEFAULT_N = 2.5
DEFAULT_SIGMA_RSS = 2.0
LN10 = np.log(10.0)


def rss_at(distance, a=DEFAULT_A, n=DEFAULT_N):
    """Expected RSS (dBm) at ``distance`` metres."""
    return a - 10.0 * n * np.log10(distance)


def distance_from_rss(rss, a=DEFAULT_A, n=DEFAULT_N):
    """Distance (m) at which the model predicts ``rss``: d_rssi = 10^((A - RSS) / (10 n))."""
    return 10.0 ** ((a - np.asarray(rss, dtype=float)) / (10.0 * n))


def distance_spread(d_rssi, sigma_rss=DEFAULT_SIGMA_RSS, n=DEFAULT_N):
    """Distance spread from an RSS noise of sigma_rss dB: sigma_d = d_rssi ln(10) sigma_rss / (10 n)."""
    return np.asarray(d_rssi, dtype=float) * LN10 * sigma_rss / (10.0 * n)


def check_model(a, n, sigma_rss=None):
    """Reject model parameters that cannot describe radio propagation."""
    if not np.isfinite(a):
        raise InputError(f"A = {a} dBm is not a number; give the RSS at 1 m, e.g. -30.")
    if not (np.isfinite(n) and n > 0):
        raise InputError(f"The path-loss exponent n = {n} must be positive (free space is 2, typical 2-4).")
    if sigma_rss is not None and not (np.isfinite(sigma_rss) and sigma_rss > 0):
        raise InputError(f"SIGMA_RSS = {sigma_rss} dB must be positive (typical RSS noise is 2-6 dB).")


def fit_pathloss(distance, rss):
    """Least-squares fit of RSS on log10(d) (paper §4.6, Figure 6).

    Returns (A, n, A_stderr, n_stderr, residual_sd). Needs at least 3 points at 2 or more distances.
    """
    distance = np.asarray(distance, dtype=float)
    rss = np.asarray(rss, dtype=float)
    ok = np.isfinite(distance) & np.isfinite(rss) & (distance > 0)
    x = np.log10(distance[ok])
    y = rss[ok]
    if len(x) < 3 or np.ptp(x) == 0:
        raise InputError("The path-loss fit needs at least 3 RSS values at 2 or more distinct distances.")
    design = np.column_stack([np.ones_like(x), -10.0 * x])
    coef, _, _, _ = np.linalg.lstsq(design, y, rcond=None)
    residual = y - design @ coef
    dof = max(len(x) - 2, 1)
    residual_var = residual @ residual / dof
    cov = residual_var * np.linalg.inv(design.T @ design)
    a, n = coef
    return float(a), float(n), float(np.sqrt(cov[0, 0])), float(np.sqrt(cov[1, 1])), float(np.sqrt(residual_var))
