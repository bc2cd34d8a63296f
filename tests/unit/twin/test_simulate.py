"""Sanity of the site simulator: its ground truth must agree with the probes it produces."""
import numpy as np
import pytest

from wifidensity.algorithms.core.errors import InputError
from wifidensity.algorithms.paper.pathloss import rss_at
from wifidensity.algorithms.twin.simulate import SiteConfig, sample_config, simulate


@pytest.fixture(scope="module")
def site():
    return simulate(sample_config(seed=3))


def test_client_counts_match_the_configuration(site):
    config = sample_config(seed=3)
    counts = site.truth.counts
    assert counts["outdoor"] == sum(c[3] for c in config.crowds)
    assert counts["indoor"] == config.indoor_clients
    assert counts["iot"] == config.iot_devices
    assert counts["connected"] == config.connected_clients
    assert counts["clients"] == len(site.truth.client_xy) == len(site.truth.kind)


def test_every_probe_is_inside_the_window_and_above_the_floor(site):
    config = sample_config(seed=3)
    probes = site.probes
    assert probes.time.min() >= config.start
    assert probes.time.max() < config.start + config.window_hours * 3600
    assert probes.rss.min() >= config.floor
    assert np.all(probes.rss == np.round(probes.rss))
    assert np.all(np.diff(probes.time) >= 0)


def test_an_emission_is_one_mac_heard_once_per_ap_within_the_burst(site):
    probes = site.probes
    emission = probes.extra["true_emission"]
    randomising = np.isin(probes.extra["true_kind"].astype(str), ["outdoor", "indoor"])
    pairs = np.unique(np.column_stack([emission, np.unique(probes.ap_id, return_inverse=True)[1]]), axis=0)
    assert len(pairs) == len(probes)
    macs_per_emission = {}
    for e, mac in zip(emission[randomising], probes.mac[randomising]):
        macs_per_emission.setdefault(mac, set()).add(e)
    assert all(len(v) == 1 for v in macs_per_emission.values())
    order = np.argsort(emission, kind="stable")
    e, t = emission[order], probes.time[order]
    first = np.flatnonzero(np.r_[True, e[1:] != e[:-1]])
    assert np.max(np.maximum.reduceat(t, first) - np.minimum.reduceat(t, first)) < 2 * 0.3


def test_true_multiplicities_add_up(site):
    counts = site.truth.counts
    assert counts["P"] + counts["P4plus"] == counts["RANDOMISING_PRS"]
    assert sum(counts["P_by_k"].values()) == counts["RANDOMISING_PRS"]
    assert counts["P"] == counts["P1"] + counts["P2"] + counts["P3"]
    assert counts["EMISSIONS_1TO3"] * 1 <= counts["P"] <= 3 * counts["EMISSIONS_1TO3"]


def test_fixed_macs_are_listed_and_connections_are_the_connected_clients(site):
    kind = site.truth.kind.astype(str)
    assert set(site.connections) == set(site.truth.client_mac[kind == "connected"])
    assert all(site.truth.client_mac[kind == "outdoor"] == "")
    iot_macs = set(site.truth.client_mac[kind == "iot"])
    assert set(site.probes.mac[site.probes.extra["true_kind"] == "iot"]) <= iot_macs


def test_rss_follows_the_log_distance_model():
    """Without noise, loss or floor, every AP hears every emission at the model's RSS (rounded)."""
    config = SiteConfig(ap_xy=[(0, 0), (60, 0)], crowds=[(30, 20, 5, 20)], sigma_rss=0.0, reception=1.0,
                        floor=-200.0, seed=1)
    site = simulate(config)
    ap_index = site.aps.index_of(site.probes.ap_id)
    d = np.hypot(site.probes.extra["true_x"] - site.aps.xy[ap_index, 0],
                 site.probes.extra["true_y"] - site.aps.xy[ap_index, 1])
    assert np.all(np.abs(site.probes.rss - rss_at(np.maximum(d, 1), config.a, config.n)) <= 0.5)
    assert site.truth.counts["P2"] == len(site.probes) == 2 * site.truth.emissions.sum()


def test_the_same_seed_gives_the_same_site_and_another_seed_another():
    a, b, c = simulate(sample_config(seed=5)), simulate(sample_config(seed=5)), simulate(sample_config(seed=6))
    assert np.array_equal(a.probes.mac, b.probes.mac) and np.array_equal(a.probes.rss, b.probes.rss)
    assert len(a.probes) != len(c.probes) or not np.array_equal(a.probes.mac, c.probes.mac)


def test_indoor_clients_need_an_indoor_ap():
    with pytest.raises(InputError, match="need an indoor AP"):
        simulate(SiteConfig(ap_xy=[(0, 0)], indoor_clients=3))


def test_emission_xy_is_the_position_of_each_prs_client(site):
    extra = site.probes.extra
    xy = site.emission_xy()[extra["true_emission"]]
    np.testing.assert_array_equal(xy, np.column_stack([extra["true_x"], extra["true_y"]]))
    np.testing.assert_array_equal(xy, site.truth.client_xy[extra["true_client"]])
