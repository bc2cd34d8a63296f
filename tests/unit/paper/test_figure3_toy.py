"""The paper's Figure 3 toy: 11 clients, 5 PRs heard only at the left AP, 5 only at the right AP and one
emission heard at all three APs -> 13 PRs. Bowl -> renormalize into the decision region holds 13 PRs; with
X = 1 PR per client, Reassembly gives 13 clients (the overcount the paper's correction addresses)."""
import numpy as np
import pytest
from shapely.geometry import Polygon

from wifidensity.algorithms.core.masks import region_mask
from wifidensity.algorithms.core.records import AccessPoints
from wifidensity.algorithms.core.smoothing import smooth
from wifidensity.algorithms.paper.bowl import bowl, bowl_grid
from wifidensity.algorithms.paper.pathloss import rss_at
from wifidensity.algorithms.paper.reassemble import clients
from wifidensity.algorithms.paper.renormalize import renormalize


def test_figure3_toy_holds_13_prs_and_13_clients():
    aps = AccessPoints(np.array(["left", "right", "top"], dtype=object),
                       np.array([[0.0, 0.0], [60.0, 0.0], [30.0, 40.0]]), np.zeros(3, dtype=bool), "EPSG:32633")
    rng = np.random.default_rng(3)
    left = rss_at(rng.uniform(8, 20, 5))
    right = rss_at(rng.uniform(8, 20, 5))
    shared = rss_at(np.hypot(aps.xy[:, 0] - 30.0, aps.xy[:, 1] - 15.0))  # one client between the three APs
    ap_ids = np.array(["left"] * 5 + ["right"] * 5 + ["left", "right", "top"], dtype=object)
    rss = np.concatenate([left, right, shared])
    assert len(rss) == 13

    grid = bowl_grid(aps.xy, 1.0, 30.0, crs=aps.crs)
    prs = bowl(ap_ids, rss, aps, grid)
    assert prs.mass() + float(prs.tags["MASS_OUTSIDE"]) == pytest.approx(13.0, rel=1e-12)
    assert float(prs.tags["MASS_OUTSIDE"]) > 0.01  # some ring mass fell outside the extent

    decision = Polygon([(-15, -15), (75, -15), (75, 10), (40, 50), (20, 50), (-15, 10)])
    region = renormalize(prs, region_mask([decision], grid))
    assert region.density.mass() == pytest.approx(13.0, rel=1e-12)
    assert region.mass_moved > 0

    client_map = clients([region.density], 1.0)
    assert client_map.mass() == pytest.approx(13.0, rel=1e-12)
    assert smooth(client_map.values, 10.0).sum() * grid.cell_area == pytest.approx(13.0, rel=1e-9)
