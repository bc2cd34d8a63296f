"""Path-loss fit on real RSS at known distances: Cagliari Scenario 0 (one anchor at 5, 10, 15, 20, 25 m).

Files are ';'-separated, some start with a UTF-8 BOM, and the RSS column is named differently across files
('Rx Power [dBm]', 'POTENZA_dBm'): it is the third column. The capture holds a few rows at +17 dBm (not a
receivable power; a sniffer artefact), which the probe readers of the plugin refuse as positive RSS.
"""
import csv
import re

import numpy as np
import pytest
from oracles import fit_pathloss


def _scenario0(folder):
    distance, rss = [], []
    for path in sorted(folder.glob("scenario0_rpi_wifi_distance_*m.csv")):
        metres = float(re.search(r"_(\d+)m\.csv$", path.name).group(1))
        with open(path, encoding="utf-8-sig", newline="") as handle:
            rows = list(csv.reader(handle, delimiter=";"))
        assert rows[0][0] == "Timestamp", f"{path.name}: BOM not stripped or unexpected header"
        values = [float(row[2]) for row in rows[1:] if len(row) > 2 and row[2].strip()]
        distance += [metres] * len(values)
        rss += values
    return np.array(distance), np.array(rss)


def test_fit_recovers_the_published_model(shared_data):
    distance, rss = _scenario0(shared_data / "cagliari-rss-anchors")
    assert len(rss) == 5056 and sorted(set(distance)) == [5, 10, 15, 20, 25]
    a, n, a_se, n_se, sd = fit_pathloss(distance, rss)
    # SOURCE.md: A = -36.5 dBm at 1 m, n = 1.90, residual sd 11.4 dB (all rows)
    assert a == pytest.approx(-36.5, abs=0.05) and n == pytest.approx(1.90, abs=0.005)
    assert sd == pytest.approx(11.4, abs=0.05)
    assert a_se == pytest.approx(0.76, abs=0.01) and n_se == pytest.approx(0.067, abs=0.001)


def test_fit_without_the_impossible_positive_rows(shared_data):
    """Dropping the 106 rows at +17 dBm (as the plugin's readers would) leaves the physical fit, measured
    A = -38.45 ± 0.24 dBm, n = 1.868 ± 0.022, residual sd 3.6 dB: the same exponent, a third of the scatter."""
    distance, rss = _scenario0(shared_data / "cagliari-rss-anchors")
    physical = rss < 0
    assert (~physical).sum() > 0 and np.all(rss[~physical] == 17.0)
    a, n, _, n_se, sd = fit_pathloss(distance[physical], rss[physical])
    assert -45.0 < a < -25.0 and 1.5 < n < 3.0  # a near-LOS outdoor link
    assert (~physical).sum() == 106
    assert sd < 4.0  # the artefact rows were the bulk of the scatter
    assert abs(n - 1.90) < 3 * n_se + 0.067  # consistent with the published exponent
