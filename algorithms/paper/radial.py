"""The radial engine: rings ("bowls") around one access point on a raster grid (paper §4.2, the Bowl Tool; Figure 3).

A ring of radius ``mu`` and width ``sigma`` is ``exp(-(d - mu)^2 / (2 sigma^2))`` divided by its exact
integral over the plane, so it holds exactly one unit of mass. Many rings around the same AP (one per
(AP, RSS) group, weighted by how many PRs share it) are one radial function of the distance to the AP,
so a raster of any number of rings costs one pass over the AP's pixels.

``RingOperator`` is the linear map between ring weights and a density raster, in both directions:
``forward`` (weights -> density per m², e.g. the Bowl raster) and ``adjoint`` (raster -> integral of the
raster under each ring, e.g. the share of each ring inside a region, or the expected PR count per ring
of a client density in a likelihood estimator). The adjoint is the exact transpose of the forward map for
the inner product ``<u, v> = sum(u * v) * pixel_area``.

How pixels are integrated (why the raster is honest at 1 m pixels):
- far pixels (centre farther than ``near_radius``): the pixel's value is the ring's mean density over the
  annulus of width one pixel centred on the pixel centre (exact from the closed-form cumulative mass);
  a square pixel's radial footprint has the same variance as that annulus, so the error is fourth order.
  The radial function lives on a logarithmic distance axis (rings widen with distance) and is interpolated
  with cubic Hermite polynomials built from its exact derivative.
- near pixels (rings narrower than a pixel close to the AP, where a 1 m pixel cannot sample a ring of a few
  decimetres): the exact mass of each annulus 1/16 pixel wide is shared among the pixels by their exact
  overlap area with it (closed-form square-disk intersection), so every bit of mass lands where it lies.
"""
import numpy as np

from ..core.errors import InputError
from ..core.optional import require
from .pathloss import NOISE_TAIL_SDS

SQRT_HALF_PI = np.sqrt(np.pi / 2.0)
_SAMPLES_PER_PIXEL = 16          # near-field annuli are pixel / 16 wide
_NEAR_CAP_PIXELS = 48            # the near field never exceeds this radius (keeps it O(pixels))
_HERMITE_STEP = 0.08             # log-axis step as a share of the narrowest relative ring width


def ring_integral(mu, sigma):
    """Integral over the plane of exp(-(d - mu)^2 / (2 sigma^2)), d the distance to the centre.

    With u = d - mu: 2 pi int_{-mu}^inf (u + mu) exp(-u^2 / (2 sigma^2)) du
    = 2 pi sigma [sigma exp(-mu^2 / (2 sigma^2)) + mu sqrt(pi/2) (1 + erf(mu / (sigma sqrt 2)))].
    """
    erf = require("scipy.special").erf
    mu = np.asarray(mu, dtype=float)
    sigma = np.asarray(sigma, dtype=float)
    return 2.0 * np.pi * sigma * (sigma * np.exp(-0.5 * (mu / sigma) ** 2)
                                  + mu * SQRT_HALF_PI * (1.0 + erf(mu / (sigma * np.sqrt(2.0)))))


def ring_cumulative_mass(r, mu, sigma):
    """Share of a unit ring's mass within distance ``r`` of its centre (0 at r <= 0, 1 at infinity).

    The antiderivative of ring_integral's integrand from 0 to r, divided by the full integral.
    """
    erf = require("scipy.special").erf
    r = np.maximum(np.asarray(r, dtype=float), 0.0)
    mu = np.asarray(mu, dtype=float)
    sigma = np.asarray(sigma, dtype=float)
    root2s = sigma * np.sqrt(2.0)
    partial = 2.0 * np.pi * sigma * (sigma * (np.exp(-0.5 * (mu / sigma) ** 2) - np.exp(-0.5 * ((r - mu) / sigma) ** 2))
                                     + mu * SQRT_HALF_PI * (erf((r - mu) / root2s) + erf(mu / root2s)))
    return partial / ring_integral(mu, sigma)


def ring_density(d, mu, sigma):
    """Density (per m²) of a unit ring at distance ``d`` from its centre."""
    return np.exp(-0.5 * ((np.asarray(d, dtype=float) - mu) / sigma) ** 2) / ring_integral(mu, sigma)


def annulus_mean(d, mu, sigma, width):
    """Mean density of a unit ring over the annulus [d - width/2, d + width/2] (d >= width/2)."""
    d = np.asarray(d, dtype=float)
    inner = ring_cumulative_mass(d - 0.5 * width, mu, sigma)
    outer = ring_cumulative_mass(d + 0.5 * width, mu, sigma)
    return (outer - inner) / (2.0 * np.pi * d * width)


def _annulus_mean_log_slope(d, mu, sigma, width, mean):
    """d/d(ln d) of annulus_mean: the ring density at both edges times their circumference, minus the mean."""
    edge = (ring_density(d + 0.5 * width, mu, sigma) * (d + 0.5 * width)
            - ring_density(d - 0.5 * width, mu, sigma) * (d - 0.5 * width))
    return edge / width - mean


def _check_rings(mu, sigma):
    mu = np.atleast_1d(np.asarray(mu, dtype=float))
    sigma = np.atleast_1d(np.asarray(sigma, dtype=float))
    if mu.shape != sigma.shape or mu.ndim != 1:
        raise InputError("Ring radii and widths must be two 1-D arrays of the same length.")
    if not (np.all(np.isfinite(mu)) and np.all(mu >= 0)):
        raise InputError("Ring radii (distances from RSS) must be finite and non-negative; "
                         "check the RSS values and A, n.")
    if not (np.all(np.isfinite(sigma)) and np.all(sigma > 0)):
        raise InputError("Ring widths must be positive; check SIGMA_RSS and the path-loss exponent n.")
    return mu, sigma


def _quarter_disk_area(x, y, r):
    """Area of the disk of radius r (centre 0) inside [0, x] x [0, y], for x, y >= 0."""
    cut = np.sqrt(np.maximum(r * r - y * y, 0.0))        # beyond this abscissa the circle is below y
    a = np.minimum(x, cut)
    b = np.minimum(x, r)
    return y * a + _circle_primitive(b, r) - _circle_primitive(a, r)


def _circle_primitive(x, r):
    """Antiderivative of sqrt(r^2 - t^2) at x (|x| <= r)."""
    x, r = np.broadcast_arrays(np.asarray(x, dtype=float), np.asarray(r, dtype=float))
    ratio = np.divide(x, r, out=np.zeros(x.shape), where=r > 0)  # the disk of radius 0 has no area
    return 0.5 * (x * np.sqrt(np.maximum(r * r - x * x, 0.0)) + r * r * np.arcsin(np.clip(ratio, -1.0, 1.0)))


def _signed_quarter(x, y, r):
    return np.sign(x) * np.sign(y) * _quarter_disk_area(np.abs(x), np.abs(y), r)


def square_in_disk(r, x0, y0, side):
    """Exact area of the square [x0, x0 + side] x [y0, y0 + side] inside the disk of radius r centred at 0."""
    x1, y1 = x0 + side, y0 + side
    return (_signed_quarter(x1, y1, r) - _signed_quarter(x0, y1, r)
            - _signed_quarter(x1, y0, r) + _signed_quarter(x0, y0, r))


def near_radius(mu, sigma, pixel):
    """Radius within which pixels get their exact ring-overlap mass: covers every ring narrower than a pixel."""
    narrow = sigma < pixel
    reach = np.max(mu[narrow] + 6.0 * sigma[narrow]) + 2.0 * pixel if np.any(narrow) else 0.0
    return float(np.clip(reach, 3.0 * pixel, _NEAR_CAP_PIXELS * pixel))


class RingOperator:
    """Rings around one centre on one grid, as a linear map between ring weights and a density raster.

    grid: algorithms.core.grid.Grid; centre: (x, y) metres in the grid's CRS; mu, sigma: 1-D arrays, ring
    radii and widths (m); near: the near-field radius (default ``near_radius(mu, sigma, pixel)``; pass the
    same value to operators that must pixelate identically). Geometry and per-ring tables are computed once,
    so repeated forward/adjoint calls (iterative estimators) cost one pass over the pixels each.
    """

    def __init__(self, grid, centre, mu, sigma, near=None):
        self.grid = grid
        self.mu, self.sigma = _check_rings(mu, sigma)
        self.centre = (float(centre[0]), float(centre[1]))
        self.near_radius = near_radius(self.mu, self.sigma, grid.pixel) if near is None else float(near)
        self._build_near()
        self._build_far()

    # ----- near field: exact annulus masses spread over the exact pixel-annulus overlap areas -----
    def _build_near(self):
        grid, pixel = self.grid, self.grid.pixel
        cx, cy = self.centre
        xs, ys = grid.centres()
        reach = self.near_radius
        cols = np.flatnonzero(np.abs(xs - cx) < reach)
        rows = np.flatnonzero(np.abs(ys - cy) < reach)
        d = np.hypot(xs[cols][None, :] - cx, ys[rows][:, None] - cy)
        near_rows, near_cols = np.nonzero(d < reach)
        row, col = rows[near_rows], cols[near_cols]
        x0 = grid.x_min + col * pixel - cx
        y0 = grid.y_max - (row + 1) * pixel - cy
        step = pixel / _SAMPLES_PER_PIXEL
        edges = np.arange(0.0, reach + 1.5 * pixel + step, step)
        # each pixel meets only the annuli between its nearest and farthest point
        nearest = np.hypot(np.maximum(np.maximum(x0, -x0 - pixel), 0.0), np.maximum(np.maximum(y0, -y0 - pixel), 0.0))
        farthest = np.hypot(np.maximum(np.abs(x0), np.abs(x0 + pixel)), np.maximum(np.abs(y0), np.abs(y0 + pixel)))
        first = np.floor(nearest / step).astype(np.int64)
        count = np.ceil(farthest / step).astype(np.int64) - first
        cell = np.repeat(np.arange(len(row)), count)
        annulus = first[cell] + np.arange(count.sum()) - np.repeat(np.cumsum(count) - count, count)
        overlap = (square_in_disk(edges[annulus + 1], x0[cell], y0[cell], pixel)
                   - square_in_disk(edges[annulus], x0[cell], y0[cell], pixel))
        ring_area = np.pi * (edges[1:] ** 2 - edges[:-1] ** 2)
        self._near_pixel = (row * grid.width + col)[cell]
        self._near_annulus = annulus
        self._near_share = overlap / ring_area[annulus]
        self._near_masses = (ring_cumulative_mass(edges[1:, None], self.mu, self.sigma)
                             - ring_cumulative_mass(edges[:-1, None], self.mu, self.sigma))
        self._near_cells = row * grid.width + col

    # ----- far field: annulus means on a log-distance axis, cubic Hermite interpolation -----
    def _build_far(self):
        grid, pixel = self.grid, self.grid.pixel
        xs, ys = grid.centres()
        dx2 = (xs - self.centre[0]) ** 2
        dy2 = (ys - self.centre[1]) ** 2
        d_min = max(np.sqrt(dx2.min() + dy2.min()), self.near_radius)
        d_max = max(np.sqrt(dx2.max() + dy2.max()), d_min * 1.001)
        self._step = self._log_step(d_min)
        self._u0 = np.log(d_min) - self._step
        nodes = int(np.ceil((np.log(d_max) - self._u0) / self._step)) + 2
        d = np.exp(self._u0 + self._step * np.arange(nodes))[:, None]
        self._far_value = annulus_mean(d, self.mu, self.sigma, pixel)
        self._far_slope = _annulus_mean_log_slope(d, self.mu, self.sigma, pixel, self._far_value)
        with np.errstate(divide="ignore"):  # a pixel centre on the AP is a near pixel; its t is clipped
            t = (0.5 * np.log(dy2[:, None] + dx2[None, :]) - self._u0) / self._step
        np.clip(t, 0.0, nodes - 1.000001, out=t)
        self._far_index = t.astype(np.int32)
        self._far_fraction = t - self._far_index

    def _log_step(self, d_min):
        """Log-axis step fine enough for 1e-7 relative Hermite error on the narrowest ring seen far out."""
        seen = self.mu + NOISE_TAIL_SDS * self.sigma + self.grid.pixel >= d_min
        if not np.any(seen):
            return 0.02
        relative_width = self.sigma[seen] / (np.maximum(self.mu[seen], d_min) + 3.0 * self.sigma[seen])
        return float(np.clip(_HERMITE_STEP * relative_width.min(), 2e-5, 0.02))

    def _hermite_basis(self):
        """Weights of (value_i, slope_i, value_i+1, slope_i+1) at each pixel; slopes per log-axis step."""
        f = self._far_fraction.reshape(-1)
        f2 = f * f
        f3 = f2 * f
        return 2 * f3 - 3 * f2 + 1, (f3 - 2 * f2 + f) * self._step, 3 * f2 - 2 * f3, (f3 - f2) * self._step

    # ----- the two directions -----
    def forward(self, weights, out=None):
        """Density raster (per m², grid.shape) of the rings with these weights (mass units, e.g. PRs).

        Adds into ``out`` when given (so several APs accumulate into one raster) and returns it. Weights are
        masses (>= 0); the result is clamped at 0 against the interpolant's round-off in empty tails.
        """
        weights = np.asarray(weights, dtype=float)
        value = self._far_value @ weights
        slope = self._far_slope @ weights * self._step
        # cubic Hermite per interval as a0 + a1 f + a2 f^2 + a3 f^3
        a0, a1 = value[:-1], slope[:-1]
        a2 = 3.0 * (value[1:] - value[:-1]) - 2.0 * slope[:-1] - slope[1:]
        a3 = 2.0 * (value[:-1] - value[1:]) + slope[:-1] + slope[1:]
        i, f = self._far_index, self._far_fraction
        raster = ((a3[i] * f + a2[i]) * f + a1[i]) * f + a0[i]
        np.maximum(raster, 0.0, out=raster)  # the cubic can dip ~1e-20 below zero in empty tails
        flat = raster.reshape(-1)
        flat[self._near_cells] = 0.0
        annulus_mass = self._near_masses @ weights
        flat += np.bincount(self._near_pixel, weights=annulus_mass[self._near_annulus] * self._near_share,
                            minlength=flat.size) / self.grid.cell_area
        if out is None:
            return raster
        out += raster
        return out

    def adjoint(self, values):
        """Integral of ``values`` (per m², grid.shape) under each unit ring: sum(values * ring) * pixel area.

        With values = 1 it is the share of each ring inside the extent; with a region mask, the share in the
        region; with a density, what each ring 'sees' of it. Exact transpose of ``forward``.
        """
        values = np.asarray(values, dtype=float).reshape(-1)
        if values.size != self.grid.width * self.grid.height:
            raise InputError(f"The raster has {values.size} cells; the ring operator's grid has "
                             f"{self.grid.width * self.grid.height}.")
        far = values * self.grid.cell_area
        far[self._near_cells] = 0.0
        nodes = len(self._far_value)
        i = self._far_index.reshape(-1)
        h00, h10, h01, h11 = self._hermite_basis()
        at_value = np.bincount(i, far * h00, nodes) + np.bincount(i + 1, far * h01, nodes)
        at_slope = np.bincount(i, far * h10, nodes) + np.bincount(i + 1, far * h11, nodes)
        seen = np.bincount(self._near_annulus, values[self._near_pixel] * self._near_share,
                           len(self._near_masses))
        return at_value @ self._far_value + at_slope @ self._far_slope + seen @ self._near_masses
