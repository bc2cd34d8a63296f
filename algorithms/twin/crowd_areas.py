"""Crowds given as areas for the site twin: clients spread uniformly over polygons (e.g. a terrace,
a market square), beside the Gaussian crowds of algorithms/twin/simulate.py."""
import numpy as np

from ..core.errors import InputError
from ..counting.zones import contains_xy

_BATCH = 4.0  # candidates drawn per wanted point and round (a polygon covers >= 1/4 of its box in practice)


def uniform_points(polygon, count, rng, name="CROWD_AREAS"):
    """``count`` points uniform over ``polygon`` (shapely, metric CRS), by rejection from its bounding box."""
    count = int(count)
    if count < 0:
        raise InputError(f"{name}: a polygon asks for {count} clients; the clients field must be >= 0.")
    if count == 0:
        return np.zeros((0, 2))
    if polygon.is_empty or polygon.area <= 0:
        raise InputError(f"{name}: a polygon with {count} clients has no area; fix or remove it.")
    x_min, y_min, x_max, y_max = polygon.bounds
    found = []
    total = 0
    for _ in range(1000):
        xy = rng.uniform((x_min, y_min), (x_max, y_max), (int(_BATCH * count) + 16, 2))
        inside = xy[contains_xy(polygon, xy[:, 0], xy[:, 1])]
        found.append(inside)
        total += len(inside)
        if total >= count:
            return np.vstack(found)[:count]
    raise InputError(f"{name}: could not place clients inside a polygon (it is too thin); widen it.")


AREA_SEED_OFFSET = 7919  # the area clients draw from their own stream, so adding areas keeps the rest of a site


def area_stream(seed):
    """The random stream of a site's crowd areas, apart from the simulation's own (simulate.SiteConfig.seed)."""
    return np.random.default_rng(int(seed) + AREA_SEED_OFFSET)


def area_clients(polygons, counts, rng, name="CROWD_AREAS"):
    """Clients of every (polygon, count) pair, stacked (n x 2); ``rng``: e.g. area_stream(seed)."""
    parts = [uniform_points(p, c, rng, name) for p, c in zip(polygons, counts)]
    return np.vstack(parts) if parts else np.zeros((0, 2))
