"""The Counting tool's formulas against the paper's printed numbers (Tables 1 and 2, §4.4) and their guards."""
import pytest

from wifidensity.algorithms.core.errors import InputError
from wifidensity.algorithms.counting.counting import (
    clients,
    connected_client_x,
    global_x,
    multiplicity_x,
    position_x,
    strawman_correction,
    strawman_x,
    window_x,
)


def test_x12_of_a_3_hour_window_from_524_per_day():
    # The paper prints "524 x (8/24) = 65"; 524 * 3 / 24 = 65.5 is what a 3-hour window gives.
    assert window_x(524, 3) == pytest.approx(65.5)


@pytest.mark.parametrize("share, correction", [(0.07, 0.953), (0.35, 0.767)])
def test_table1_corrections(share, correction):
    assert round(strawman_correction(1000.0, share * 1000.0), 3) == correction


@pytest.mark.parametrize("legacy_clients, share, predicted", [(369, 0.07, 352), (1139, 0.35, 873)])
def test_table1_predicted_counts(legacy_clients, share, predicted):
    x12 = window_x(524, 3)
    p = legacy_clients * x12
    strawman_clients = clients(p, strawman_x(x12, p, share * p))
    assert round(strawman_clients) == predicted


def test_table2_totals():
    assert round(clients(2343.27, 65), 2) == 36.05
    assert round(clients(2343.27, 93), 1) == 25.2


def test_multiplicity_counts_each_emission_once():
    # 10 emissions heard by 1 AP, 10 by 2, 10 by 3: 60 PRs, 30 emissions; 3 emissions per client -> 10 clients.
    by_k = {1: 10, 2: 20, 3: 30}
    x = multiplicity_x(3.0, 60, by_k)
    assert clients(60, x) == pytest.approx(10.0)
    # The strawman sees the 2-AP PRs as separate emissions: 10 + 20 + 10 = 40 emissions.
    assert clients(60, strawman_x(3.0, 60, 30)) == pytest.approx(40 / 3)


def test_multiplicity_generalises_to_four_and_more_aps():
    by_k = {1: 4, 2: 4, 3: 3, 4: 8, 5: 5}  # 4 + 2 + 1 + 2 + 1 = 10 emissions
    assert clients(24, multiplicity_x(1.0, 24, by_k)) == pytest.approx(10.0)


def test_multiplicity_applies_the_known_mean_multiplicity_to_all_prs():
    # Half of P has unknown multiplicity: it is assumed to be like the known half (mean multiplicity 2).
    assert multiplicity_x(5.0, 40, {1: 10, 3: 10}) == multiplicity_x(5.0, 20, {1: 10, 3: 10})


def test_legacy_is_x12():
    assert global_x("legacy", 65.5, 100, {1: 50, 2: 30, 3: 20}) == 65.5


def test_position_keeps_the_total_and_moves_x_towards_localization_rich_zones():
    x12, p3 = 65.5, 300.0
    prs = [1000.0, 1000.0, 500.0]
    located = [10, 40, 50]  # per PR, zone 3 holds 5x more localizations than zone 1
    base = strawman_x(x12, sum(prs), p3)
    result = position_x(x12, prs, located, sum(located), p3, base)
    assert sum(p / x for p, x in zip(prs, result.x)) == pytest.approx(sum(prs) / base)
    assert result.x[0] < result.x[1] < result.x[2]
    # Zones that hold all of P and all localizations need no rescaling: the paper's formula keeps the total.
    assert result.factor == pytest.approx(1.0)
    assert len(result.clamped) == 0


def test_position_rescales_to_a_multiplicity_base():
    prs, located = [300.0, 700.0], [30, 10]
    base = multiplicity_x(65.5, 1000.0, {1: 500, 2: 300, 3: 200})
    result = position_x(65.5, prs, located, 40, 200.0, base)
    assert sum(p / x for p, x in zip(prs, result.x)) == pytest.approx(1000.0 / base)
    assert result.x[0] > result.x[1]


def test_position_caps_a_zone_with_more_3ap_prs_than_prs():
    # Zone 1 would hold P3_1 = 0.9 * 300 = 270 3-AP PRs but only 100 PRs: its share is capped at 1.
    result = position_x(60.0, [100.0, 900.0], [90, 10], 100, 300.0, 70.0)
    assert list(result.clamped) == [0]
    assert result.x[0] / result.x[1] == pytest.approx(3.0 * (1 - (2 / 3) * 30 / 900))
    assert 100 / result.x[0] + 900 / result.x[1] == pytest.approx(1000 / 70.0)


def test_connected_client_x_in_prs_per_client_per_day():
    # 10 connected clients, 3 h on site each, 655 PRs: 21.83 PRs per client per hour = 524 per day.
    assert connected_client_x(655.0, 10, 3.0) == pytest.approx(524.0)


@pytest.mark.parametrize("call, field", [
    (lambda: window_x(0, 3), "X_DAY"),
    (lambda: window_x(-524, 3), "X_DAY"),
    (lambda: window_x(524, 0), "WINDOW_HOURS"),
    (lambda: strawman_x(65.5, 0, 0), "P = 0"),
    (lambda: strawman_x(65.5, 100, 150), "exceeds P"),
    (lambda: multiplicity_x(65.5, 100, {1: 0, 2: 0, 3: 0}), "P1, P2, P3"),
    (lambda: multiplicity_x(65.5, 100, {1: -1, 2: 0, 3: 0}), "P1"),
    (lambda: clients(100, 0), "X = 0"),
    (lambda: global_x("position", 65.5, 100, {3: 10}), "Unknown counting method"),
    (lambda: position_x(65.5, [0.0, 0.0], [1, 1], 2, 10, 70), "no PR mass"),
    (lambda: position_x(65.5, [10.0], [0], 0, 10, 70), "POINTS"),
    (lambda: connected_client_x(100, 0, 3), "A_CC"),
    (lambda: connected_client_x(100, 5, 0), "T_CC_HOURS"),
])
def test_bad_input_names_the_field(call, field):
    with pytest.raises(InputError, match=field):
        call()
