"""The log-distance ("Friis" in the paper) path-loss model, paper §4.1, with d0 = 1 m: the one place it is written.

    RSS = A - 10 n log10(max(d, d0)),  inverted  d = 10^((A - RSS) / (10 n)).

Inside d0 the model is flat: the far-field law does not hold there, and a sensor never reports more than A
plus noise. Every tool that needs the model (bowl rings, localization and calibration, the maximum-likelihood
map, the simulator, the report's plot) calls the functions below, so one floor and one formula hold everywhere.
An RSS noise of sigma dB maps to a distance spread sigma_d = d ln(10) sigma / (10 n).

Per-sensor gains (beyond the paper). Real sensors differ by several dB (antenna, enclosure, mounting): AP i
reports ``RSS = A + g_i - 10 n log10(max(d, d0))``, the gains g_i having zero mean over the site's APs (A is the
site's average sensor). ``without_gains`` turns such RSS into what the gain-free model describes, RSS - g_i, so
every tool above can use estimated gains by correcting the RSS first.
"""
import numpy as np

from ..core.errors import InputError

DEFAULT_A = -30.0
DEFAULT_N = 2.5
DEFAULT_SIGMA_RSS = 2.0
D0 = 1.0                 # m: the reference distance of A, and the model's floor
LN10 = np.log(10.0)
NOISE_TAIL_SDS = 8.0     # exp(-32): beyond this many sds a Gaussian of the RSS noise contributes nothing measurable


def log_distance(dist2):
    """log10 of the distance, floored at d0, from squared distances (m²)."""
    return 0.5 * np.log10(np.maximum(dist2, D0 * D0))


def log_distance_gradient(offset, dist2):
    """Gradient of log_distance in the position, from the offsets (..., 2) and their squared lengths; zero
    inside d0 where the model is flat."""
    inside = dist2 <= D0 * D0
    scale = np.where(inside, 0.0, 1.0 / (LN10 * np.where(inside, 1.0, dist2)))
    return offset * scale[..., None]


def rss_at_log(log_d, a=DEFAULT_A, n=DEFAULT_N, gain=0.0):
    """Expected RSS (dBm) at log10 distance ``log_d`` (as log_distance gives it), at a sensor of ``gain`` dB."""
    return a + gain - 10.0 * n * np.asarray(log_d, dtype=float)


def rss_at(distance, a=DEFAULT_A, n=DEFAULT_N):
    """Expected RSS (dBm) at ``distance`` metres."""
    return rss_at_log(np.log10(np.maximum(np.asarray(distance, dtype=float), D0)), a, n)


def implied_a(rss, log_d, n):
    """The A that makes the model predict ``rss`` at log10 distance ``log_d``: RSS + 10 n log10 d."""
    return rss + 10.0 * n * log_d


def implied_a_slope(log_d):
    """d implied_a / d n = 10 log10 d."""
    return 10.0 * log_d


def implied_a_derivatives(rss, dist2, n):
    """implied_a from squared distances with its first and second derivatives in the position, in one pass
    (the Newton steps of the localization).

    Returns (f, s, c): f = RSS + 10 n log10 max(d, d0); its gradient is s * offset and its Hessian
    s I - (2 / c) grad grad^T, with s = c / d^2 and c = 10 n / ln 10 (s = 0 inside d0, where the model is flat).
    """
    f = implied_a(rss, log_distance(dist2), n)
    c = 10.0 * n / LN10
    s = np.divide(c, np.maximum(dist2, D0 * D0))
    s *= dist2 > D0 * D0
    return f, s, c


def implied_a_gradient(offset, dist2, n):
    """Gradient of implied_a in the position: 10 n times log_distance_gradient."""
    return 10.0 * n * log_distance_gradient(offset, dist2)


def distance_from_rss(rss, a=DEFAULT_A, n=DEFAULT_N):
    """Distance (m) at which the model predicts ``rss``: d_rssi = 10^((A - RSS) / (10 n)) (below d0 for RSS > A:
    the ring of a PR louder than A sits on its AP)."""
    return 10.0 ** log_distance_from_rss(rss, a, n)


def log_distance_from_rss(rss, a=DEFAULT_A, n=DEFAULT_N, gain=0.0):
    """log10 of the distance at which a sensor of ``gain`` dB has mean RSS ``rss``: (A + g - RSS) / (10 n)."""
    return (a + gain - np.asarray(rss, dtype=float)) / (10.0 * n)


def squared_distance_ratio(rss_reference, rss, n):
    """(d / d_ref)^2 from the RSS ratio alone, A cancelled: 10^((RSS_ref - RSS) / (5 n)) (the Circles of
    Apollonius, paper §4.6)."""
    return 10.0 ** ((rss_reference - rss) / (5.0 * n))


def distance_spread(d_rssi, sigma_rss=DEFAULT_SIGMA_RSS, n=DEFAULT_N):
    """Distance spread from an RSS noise of sigma_rss dB: sigma_d = d_rssi ln(10) sigma_rss / (10 n)."""
    return np.asarray(d_rssi, dtype=float) * LN10 * sigma_rss / (10.0 * n)


def without_gains(rss, ap_rows, gains):
    """RSS corrected for the gain of the AP that heard it: RSS - g_i (``ap_rows``: AP row per value, -1 for
    an unknown AP, left as it is; ``gains`` None: no correction)."""
    rss = np.asarray(rss, dtype=float)
    if gains is None:
        return rss
    ap_rows = np.asarray(ap_rows, dtype=np.int64)
    gains = np.asarray(gains, dtype=float)
    return rss - np.where(ap_rows >= 0, gains[np.maximum(ap_rows, 0)], 0.0)


def cell_spread(log_d, n, cell):
    """Spread (dB, one sd) of the mean RSS over a square cell of side ``cell`` m whose centre lies at log10
    distance ``log_d``: 10 n sd(log10 d) with sd(d) = cell / sqrt(12) (any direction across a uniform square),
    the distance held at least half a cell (the cell holding the AP)."""
    distance = np.maximum(10.0 ** np.asarray(log_d, dtype=float), 0.5 * cell)
    return 10.0 * n * cell / (np.sqrt(12.0) * LN10 * distance)


def check_model(a, n, sigma_rss=None):
    """Reject model parameters that cannot describe radio propagation."""
    if not np.isfinite(a):
        raise InputError(f"A = {a:g} dBm is not a number; give the RSS at 1 m, e.g. -30.")
    if not (np.isfinite(n) and n > 0):
        raise InputError(f"The path-loss exponent n = {n} must be positive (free space is 2, typical 2-4).")
    if sigma_rss is not None and not (np.isfinite(sigma_rss) and sigma_rss > 0):
        raise InputError(f"SIGMA_RSS = {sigma_rss:g} dB must be positive (typical RSS noise is 2-6 dB).")
