"""Zones made by classing a density raster, and the per-zone counting table (SPEC tool 5, paper §6.1.3)."""
import numpy as np
import pytest

from wifidensity.algorithms.core.errors import InputError
from wifidensity.algorithms.core.geotiff import Density
from wifidensity.algorithms.core.grid import Grid
from wifidensity.algorithms.counting.counting import strawman_x, window_x
from wifidensity.algorithms.counting.zone_counts import count_site, zone_table
from wifidensity.algorithms.counting.zones import (
    Zones,
    level_labels,
    parse_breaks,
    zones_from_levels,
    zones_from_polygons,
)

GRID = Grid(1000.0, 2040.0, 2.0, 20, 20, "EPSG:32633")  # 40 x 40 m, 2 m pixels


def _two_level_site():
    """A low plateau (0.1 PRs/m²) over the left half and a peak (1.0 PRs/m²) in the right half's centre."""
    values = np.zeros(GRID.shape)
    values[:, :10] = 0.1
    values[5:15, 12:18] = 1.0
    return Density(values, GRID)


def test_levels_follow_the_breaks():
    labels = level_labels(np.array([0.0, 0.05, 0.1, 0.5, 2.0]), [0.1, 1.0])
    assert labels.tolist() == [0, 1, 2, 2, 3]
    zones = zones_from_levels(Density(np.array([[0.05, 0.5, 2.0, 0.0]]), Grid(0.0, 1.0, 1.0, 4, 1)), [0.1, 1.0])
    assert zones.names == ["< 0.1 PRs/m2", "0.1 - 1 PRs/m2", ">= 1 PRs/m2"]


def test_without_breaks_the_whole_nonzero_raster_is_one_zone():
    zones = zones_from_levels(_two_level_site(), [])
    assert zones.names == ["all"]
    assert zones.areas().tolist() == pytest.approx([800.0 + 240.0])


def test_level_zones_trace_the_pixels_and_hold_the_mass():
    density = _two_level_site()
    zones = zones_from_levels(density, [0.5])
    assert zones.names == ["< 0.5 PRs/m2", ">= 0.5 PRs/m2"]
    assert zones.areas().tolist() == pytest.approx([40 * 20, 10 * 6 * 4])
    assert zones.masses(density).sum() == pytest.approx(density.mass())
    assert zones.masses(density).tolist() == pytest.approx([0.1 * 800, 1.0 * 240])


def test_localizations_are_counted_inside_each_zone():
    zones = zones_from_levels(_two_level_site(), [0.5])
    points = [(1005.0, 2030.0), (1010.0, 2001.0), (1030.0, 2020.0), (1500.0, 2500.0)]
    assert zones.localizations(points).tolist() == [2, 1]


def test_position_table_keeps_total_and_gives_the_localization_rich_zone_a_larger_x():
    density = _two_level_site()
    zones = zones_from_levels(density, [0.5])
    p = density.mass()
    p3 = 0.3 * p
    site = count_site(p, {1: 0.5 * p, 2: 0.2 * p, 3: p3}, 524, 3, "position", base="strawman")
    # 5 localizations on the plateau (80 PRs), 30 in the peak (240 PRs): the peak has more per PR.
    points = [(1005.0, 2030.0)] * 5 + [(1030.0, 2020.0)] * 30
    table = zone_table(site, zones, density, p3, points)
    columns = table.columns
    assert columns["localizations"].tolist() == [5, 30]
    assert columns["clients_position"].sum() == pytest.approx(p / strawman_x(window_x(524, 3), p, p3))
    assert columns["x"][1] > columns["x"][0]
    assert columns["x"].tolist() == columns["x_position"].tolist()
    assert columns["clients_legacy"].sum() == pytest.approx(p / 65.5)
    assert columns["clients_multiplicity"].sum() == pytest.approx(site.clients["multiplicity"])
    assert site.chosen_x == site.x["strawman"]


def test_global_method_gives_every_zone_the_same_x():
    density = _two_level_site()
    site = count_site(density.mass(), {1: 100, 2: 100, 3: 120}, 524, 3, "multiplicity")
    table = zone_table(site, zones_from_levels(density, [0.5]), density, 120)
    assert np.all(table.columns["x"] == site.x["multiplicity"])
    assert "localizations" not in table.columns
    assert table.columns["clients"].sum() == pytest.approx(site.clients["multiplicity"])


def test_multiplicity_is_left_out_without_p1_p2_p3():
    site = count_site(2343.27, {3: 500.0}, 524, 3, "strawman")
    assert set(site.x) == {"legacy", "strawman"}


def test_zones_off_the_raster_are_refused():
    density = _two_level_site()
    empty = np.zeros(GRID.shape, dtype=bool)
    zones = Zones(["far away"], [None], [empty])
    site = count_site(density.mass(), {3: 10}, 524, 3, "strawman")
    with pytest.raises(InputError, match="do not overlap"):
        zone_table(site, zones, density, 10)


def test_position_without_points_is_refused():
    density = _two_level_site()
    site = count_site(density.mass(), {3: 10}, 524, 3, "position")
    with pytest.raises(InputError, match="POINTS"):
        zone_table(site, zones_from_levels(density, [0.5]), density, 10)


@pytest.mark.parametrize("text, message", [("", "empty"), ("0.1, abc", "numbers"), ("0.5, 0.1", "increasing"),
                                           ("-1", "positive")])
def test_bad_breaks(text, message):
    with pytest.raises(InputError, match=message):
        parse_breaks(text)


def test_breaks_accept_commas_and_spaces():
    assert parse_breaks("0.01, 0.05 0.1") == [0.01, 0.05, 0.1]


def test_polygon_zones_weigh_the_pixels_whose_centre_they_hold():
    from shapely.geometry import box
    density = _two_level_site()
    left, peak = box(1000, 2000, 1020, 2040), box(1024, 2010, 1036, 2030)
    zones = zones_from_polygons([left, peak, box(5000, 5000, 5010, 5010)], ["left", "peak", "off"], GRID)
    assert zones.masses(density).tolist() == pytest.approx([80.0, 240.0, 0.0])
    assert zones.areas().tolist() == pytest.approx([800.0, 240.0, 100.0])
