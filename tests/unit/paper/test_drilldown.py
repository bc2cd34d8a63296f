"""Drill-Down: exact capping, exact threshold for a retained fraction."""
import numpy as np
import pytest

from wifidensity.algorithms.core.errors import InputError
from wifidensity.algorithms.paper.drilldown import RetentionCurve, cap


def _values():
    rng = np.random.default_rng(9)
    values = rng.lognormal(-3, 1.5, (120, 90)).astype(np.float32)
    values[:10] = 0
    return values


def test_capped_plus_peaks_is_the_input_exactly():
    values = _values()
    for threshold in [0.0, 1e-4, 0.02, 0.3, 5.0, float(values.max())]:
        capped, peaks, used = cap(values, threshold)
        assert capped.dtype == np.float32 and peaks.dtype == np.float32
        assert np.array_equal(capped + peaks, values)
        assert capped.max() <= used <= threshold and peaks.min() >= 0
        assert threshold - used <= np.spacing(values.max())
    as_double = values.astype(np.float64) * np.pi
    capped, peaks, _ = cap(as_double, 0.05)
    assert np.array_equal(capped + peaks, as_double)


@pytest.mark.parametrize("retain", [0.05, 0.5, 0.9, 0.997, 1.0])
def test_solved_threshold_retains_the_fraction(retain):
    values = _values()
    curve = RetentionCurve(values, 2.0)
    threshold = curve.threshold(retain)
    retained = np.minimum(values.astype(np.float64), threshold).sum() * 2.0
    assert retained == pytest.approx(retain * values.astype(np.float64).sum() * 2.0, rel=1e-9)
    assert curve.retained(threshold) == pytest.approx(retained, rel=1e-12)


def test_threshold_is_monotone_in_retain():
    curve = RetentionCurve(_values(), 1.0)
    thresholds = [curve.threshold(r) for r in np.linspace(0.01, 1.0, 200)]
    assert np.all(np.diff(thresholds) >= 0)


@pytest.mark.parametrize("retain", [0.0, -0.1, 1.01, float("nan")])
def test_retain_outside_unit_interval(retain):
    with pytest.raises(InputError, match="RETAIN"):
        RetentionCurve(_values(), 1.0).threshold(retain)


def test_bad_rasters_and_thresholds():
    with pytest.raises(InputError, match="negative"):
        RetentionCurve(np.array([1.0, -1.0]), 1.0)
    with pytest.raises(InputError, match="no mass"):
        RetentionCurve(np.zeros(4), 1.0).threshold(0.5)
    with pytest.raises(InputError, match="THRESHOLD"):
        cap(np.ones(3), -1.0)
