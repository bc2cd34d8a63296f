"""The radio model of a site: what an AP reports of an emission made at a given place.

An emission made at distance d of AP i arrives with the mean RSS of the log-distance model with the sensor's
gain, ``mu_i = A + g_i - 10 n log10(max(d, 1 m))`` (paper/pathloss.py; paper §4.1), plus Gaussian noise of sigma dB.
The sensor reports it rounded to its reporting bin (1 dB for the integer RSS sniffers report; ``width`` 0 for
continuous values) if the rounded value is at or above its floor (sensitivity), and then only with the
reception probability p (channel hopping, collisions, a sensor busy or down). So

    P(AP i reports r)    = p_i K(r | mu_i),  K(r | mu) = Phi((r + w/2 - mu) / sigma) - Phi((r - w/2 - mu) / sigma)
    P(AP i reports none) = 1 - p_i D(mu_i),  D(mu) = Phi((mu - floor_i + w/2) / sigma)

(K is the density phi((r - mu) / sigma) / sigma when w = 0). The APs hear independently. On model cells the
position is known to the cell only, so sigma is widened by the spread of mu across the cell (Radio.spread).
The functions below return these in logs with their derivatives in mu and sigma, which the maximum-likelihood
fit of the radio (radiofit.py) needs.
"""
from dataclasses import dataclass, replace

import numpy as np

from ..core.optional import require
from ..paper.pathloss import cell_spread, rss_at_log

_LOG_SQRT_2PI = 0.5 * np.log(2.0 * np.pi)
_TINY = 1e-300


@dataclass(frozen=True)
class Radio:
    """a (dBm at 1 m), n, sigma (dB); gains (dB per AP, zero mean), reception (per AP, 0-1), floor (dBm per
    AP): arrays over the APs; width: reporting bin (dB)."""

    a: float
    n: float
    sigma: float
    gains: np.ndarray
    reception: np.ndarray
    floor: np.ndarray
    width: float

    @classmethod
    def make(cls, a, n, sigma, aps, floor, width=1.0, gains=None, reception=1.0):
        """A Radio for ``aps`` APs with common or per-AP ``floor``, ``gains`` (default 0), ``reception``."""
        def per_ap(value):
            return np.broadcast_to(np.asarray(value, dtype=float), (aps,)).copy()
        return cls(float(a), float(n), float(sigma), per_ap(0.0 if gains is None else gains), per_ap(reception),
                   per_ap(floor), float(width))

    def with_(self, **changes):
        return replace(self, **changes)

    def mean(self, log_d, rows=None):
        """mu at log10 distances ``log_d`` (APs x ...), or for the AP rows ``rows`` (same shape as log_d)."""
        gains = self.gains[:, None] if rows is None else self.gains[rows]
        return rss_at_log(log_d, self.a, self.n, gains)

    def spread(self, log_d, cell):
        """RSS spread (dB) of an emission made anywhere in a model cell of side ``cell`` m at log10 distance
        ``log_d``: sqrt(sigma^2 + tau^2), tau the spread of the mean RSS across the cell
        (pathloss.cell_spread); with its derivatives in sigma and in n."""
        tau = cell_spread(log_d, self.n, cell)
        total = np.sqrt(self.sigma ** 2 + tau ** 2)
        return total, self.sigma / total, tau * tau / (self.n * total)

    def detection(self, mu, rows=None):
        """D(mu): probability that the rounded RSS is at or above the floor (APs x ... or for ``rows``)."""
        return detection(mu, self.floor[:, None] if rows is None else self.floor[rows], self.sigma, self.width)


def detection(mu, floor, sigma, width):
    """D(mu) = Phi((mu - floor + w/2) / sigma): the probability that the reported RSS is at or above the floor."""
    return require("scipy.special").ndtr((mu - floor + 0.5 * width) / sigma)


def log_report(rss, mu, sigma, width):
    """log K(r | mu) and its derivatives in mu and sigma."""
    special = require("scipy.special")
    if width == 0:
        z = (rss - mu) / sigma
        return -0.5 * z * z - np.log(sigma) - _LOG_SQRT_2PI, z / sigma, (z * z - 1.0) / sigma
    upper = (rss + 0.5 * width - mu) / sigma
    lower = (rss - 0.5 * width - mu) / sigma
    # the bin's probability from the tail it lies in, so that far bins keep their relative precision
    flip = lower > 0
    k = np.where(flip, special.ndtr(-lower) - special.ndtr(-upper), special.ndtr(upper) - special.ndtr(lower))
    k = np.maximum(k, _TINY)
    pdf_upper, pdf_lower = np.exp(-0.5 * upper * upper), np.exp(-0.5 * lower * lower)
    scale = np.exp(-_LOG_SQRT_2PI) / (sigma * k)
    return np.log(k), (pdf_lower - pdf_upper) * scale, (lower * pdf_lower - upper * pdf_upper) * scale


def log_miss(mu, floor, sigma, width, reception):
    """log(1 - p D(mu)) and its derivatives in mu, sigma and p."""
    special = require("scipy.special")
    v = (mu - floor + 0.5 * width) / sigma
    detect = special.ndtr(v)
    miss = np.maximum((1.0 - reception) + reception * special.ndtr(-v), _TINY)  # 1 - pD without cancelling
    density = np.exp(-0.5 * v * v - _LOG_SQRT_2PI) / sigma
    return (np.log(miss), -reception * density / miss, reception * density * v / miss, -detect / miss)
