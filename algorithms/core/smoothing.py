"""Mass-keeping Gaussian smoothing on a raster, optionally confined to a domain (a boolean pixel mask).

Each source pixel of the domain spreads its mass with the Gaussian truncated to the domain and renormalised to
one, so nothing crosses the raster's borders or the domain's, and the total is kept exactly (up to rounding):

    G_D(v) = D * G(v D / G(D))

with G the Gaussian filter (zero outside the raster) and D the domain's indicator. Its exact transpose is
G_D'(g) = D / G(D) * G(g D). Reassembly smooths the client map with it (paper §1.6), scoring smooths both maps
before r, and the maximum-likelihood estimator uses it as its sieve (resolution bound).
"""
import numpy as np

from .errors import InputError
from .optional import require


class DomainGaussian:
    """The operator G_D above for a ``domain`` (bool/0-1 array; None: the whole raster) and ``sigma_pixels``."""

    def __init__(self, shape, sigma_pixels, domain=None):
        if not (np.isfinite(sigma_pixels) and sigma_pixels >= 0):
            raise InputError(f"SMOOTH = {sigma_pixels:g} must be zero (no smoothing) or a positive number of metres.")
        self.sigma = float(sigma_pixels)
        self.domain = np.ones(shape) if domain is None else np.asarray(domain, dtype=float)
        self._gaussian = require("scipy.ndimage").gaussian_filter if self.sigma > 0 else None
        reach = self._blur(self.domain)
        self.reach = np.where(reach > 0, reach, 1.0)

    def _blur(self, values):
        if self.sigma == 0:
            return values
        return self._gaussian(values, self.sigma, mode="constant", cval=0.0)

    def forward(self, values):
        """Smoothed mass of the domain's pixels (zero outside the domain)."""
        return self.domain * self._blur(values * self.domain / self.reach)

    def adjoint(self, values):
        """The transpose of ``forward`` for the plain sum inner product."""
        return self.domain / self.reach * self._blur(values * self.domain)


def smooth(values, sigma_pixels, domain=None):
    """Smooth ``values`` with a Gaussian of ``sigma_pixels`` keeping every pixel's mass inside the raster (and
    inside ``domain`` if given); mass outside the domain stays where it is."""
    values = np.asarray(values, dtype=float)
    operator = DomainGaussian(values.shape, sigma_pixels, domain)
    if operator.sigma == 0:
        return values.copy()
    return operator.forward(values) + values * (1.0 - operator.domain)
