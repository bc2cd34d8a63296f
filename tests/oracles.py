"""Reference computations the tests compare the product with (not shipped: the product never fits on known
distances, only the tests and a calibration walk have them)."""
import numpy as np

from wifidensity.algorithms.paper.pathloss import log_distance, rss_at_log


def fit_pathloss(distance, rss):
    """Ordinary least squares of RSS on log10(d) with known distances (paper §4.6, Figure 6).

    Returns (A, n, A_stderr, n_stderr, residual_sd); needs 3 or more points at 2 or more distances.
    """
    distance = np.asarray(distance, dtype=float)
    rss = np.asarray(rss, dtype=float)
    ok = np.isfinite(distance) & np.isfinite(rss) & (distance > 0)
    log_d = log_distance(distance[ok] ** 2)
    assert len(log_d) >= 3 and np.ptp(log_d) > 0, "the fit needs 3+ points at 2+ distances"
    design = np.column_stack([np.ones_like(log_d), rss_at_log(log_d, 0.0, 1.0)])  # RSS = A * 1 + n * (-10 log d)
    coef, _, _, _ = np.linalg.lstsq(design, rss[ok], rcond=None)
    residual = rss[ok] - design @ coef
    variance = residual @ residual / max(len(log_d) - 2, 1)
    cov = variance * np.linalg.inv(design.T @ design)
    a_stderr, n_stderr = np.sqrt(np.diag(cov))
    return float(coef[0]), float(coef[1]), float(a_stderr), float(n_stderr), float(np.sqrt(variance))



def fit_pathloss_per_sensor(distance, rss, sensor):
    """Least squares of RSS on log10(d) with one intercept per sensor and a common n (known distances):
    RSS = A_i - 10 n log10 d. Returns (A_i per sensor in order of np.unique(sensor), n, residual_sd)."""
    distance = np.asarray(distance, dtype=float)
    rss = np.asarray(rss, dtype=float)
    names, index = np.unique(np.asarray(sensor), return_inverse=True)
    log_d = log_distance(distance ** 2)
    design = np.zeros((len(rss), len(names) + 1))
    design[np.arange(len(rss)), index] = 1.0
    design[:, -1] = rss_at_log(log_d, 0.0, 1.0)
    coef, _, _, _ = np.linalg.lstsq(design, rss, rcond=None)
    residual = rss - design @ coef
    return coef[:-1], float(coef[-1]), float(np.sqrt(residual @ residual / max(len(rss) - len(names) - 1, 1)))
