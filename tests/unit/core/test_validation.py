"""check_rss: RSS in dBm, every row a finite, non-positive number a receiver can hear."""
import numpy as np
import pytest

from wifidensity.algorithms.core.errors import InputError
from wifidensity.algorithms.core.validation import WEAKEST_RSS, check_rss


def test_rss_down_to_the_weakest_a_receiver_hears_is_kept():
    values = check_rss(["-30", -70.5, WEAKEST_RSS, 0])
    assert values.dtype == np.float64
    assert values.tolist() == [-30.0, -70.5, -120.0, 0.0]


@pytest.mark.parametrize("placeholder", [-120.5, -127, -255])
def test_rss_below_the_weakest_names_the_row_and_the_fix(placeholder):
    with pytest.raises(InputError) as raised:
        check_rss([-70, -80, placeholder, placeholder], "signal")
    message = str(raised.value)
    assert f"Row 3: RSS = {placeholder:g} in 'signal' is below -120 dBm" in message
    assert "(2 such rows)" in message
    assert "Remove or correct those rows" in message


def test_positive_rss_is_still_named_first():
    with pytest.raises(InputError, match=r"Row 2: RSS = 5 .* is positive"):
        check_rss([-200, 5])
