"""The Localization report: a real SVG scatter of RSS vs log10(distance) with the fitted line."""
import re
import xml.etree.ElementTree as ElementTree

import numpy as np

from wifidensity.algorithms.paper.localize_report import scatter_svg

SVG = "{http://www.w3.org/2000/svg}"


def test_scatter_is_valid_svg_with_every_dot_and_the_line_through_the_model():
    rng = np.random.default_rng(0)
    x = rng.uniform(1.0, 2.0, 300)
    y = -36.0 - 10 * 2.2 * x + rng.normal(0, 2, 300)
    root = ElementTree.fromstring(scatter_svg(x, y, -36.0, 2.2))
    dots = root.findall(f".//{SVG}circle")
    assert len(dots) == 300
    line = root.find(f".//{SVG}line")
    # map the dots' pixel coordinates back to data with the two extreme dots, then check the line's ends
    cx = np.array([float(d.get("cx")) for d in dots])
    cy = np.array([float(d.get("cy")) for d in dots])
    sx = np.polyfit(x, cx, 1)
    sy = np.polyfit(y, cy, 1)
    assert np.allclose(np.polyval(sx, x), cx, atol=0.06) and np.allclose(np.polyval(sy, y), cy, atol=0.06)
    for end in ("1", "2"):
        data_x = (float(line.get("x" + end)) - sx[1]) / sx[0]
        data_y = (float(line.get("y" + end)) - sy[1]) / sy[0]
        assert abs(data_y - (-36.0 - 22.0 * data_x)) < 0.05
    labels = [t.text for t in root.iter(f"{SVG}text")]
    assert "RSS (dBm)" in labels and "log10(distance / 1 m)" in labels
    assert any(re.fullmatch(r"-?\d+(\.\d+)?", label or "") for label in labels)


def test_large_inputs_are_subsampled_and_nan_dropped():
    x = np.r_[np.linspace(0.5, 2.5, 20000), np.nan]
    y = np.r_[-40 - 25 * x[:-1], -50.0]
    root = ElementTree.fromstring(scatter_svg(x, y, float("nan"), float("nan")))
    assert len(root.findall(f".//{SVG}circle")) == 4000
    assert root.find(f".//{SVG}line") is None  # no model, no line
