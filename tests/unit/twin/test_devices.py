"""Realistic phones in the site twin (SiteConfig.devices): bursts, sequence numbers, MAC policies, truth."""
import hashlib
from dataclasses import replace

import numpy as np
import pytest

from wifidensity.algorithms.twin.devices import (
    CONTINUE,
    MINUTES,
    PER_BURST,
    PHONE_MODELS,
    RESTART,
    WINDOW,
    DeviceConfig,
    DeviceModel,
)
from wifidensity.algorithms.twin.simulate import PASSER_BY, RANDOMISING, SiteConfig, sample_config, simulate

SIG = "ie=0,1,50;rates=1,2"
PERFECT = dict(sigma_rss=0.0, reception=1.0, floor=-200.0)  # every AP logs every frame
TEST_MODELS = (
    DeviceModel("burst-restart", SIG + ";a", 1.0, PER_BURST, 0.0, RESTART, 30.0, (2, 5), (20.0, 100.0), 0.0),
    DeviceModel("burst-continue", SIG + ";b", 1.0, PER_BURST, 0.0, CONTINUE, 30.0, (2, 5), (20.0, 100.0), 0.0),
    DeviceModel("minutes-continue", SIG + ";c", 1.0, MINUTES, 10.0, CONTINUE, 30.0, (3, 4), (30.0, 60.0), 0.0),
    DeviceModel("window-restart", SIG + ";d", 1.0, WINDOW, 0.0, RESTART, 30.0, (2, 2), (20.0, 20.0), 0.0),
)


@pytest.fixture(scope="module")
def realistic():
    """The sample site with the default phone models and passers-by."""
    return simulate(replace(sample_config(seed=4), devices=DeviceConfig(passers_by=15)))


@pytest.fixture(scope="module")
def policies():
    """Two APs hearing every frame, phones of the four test models, no frames between bursts."""
    config = SiteConfig(ap_xy=[(0, 0), (80, 0)], crowds=[(40, 20, 10, 40)], window_hours=1.0, seed=2, **PERFECT,
                        devices=DeviceConfig(models=TEST_MODELS, screen_on=0.5))
    return simulate(config)


def _frames(site):
    """One row per frame (the first AP's row of each), sorted by device and time."""
    extra = site.probes.extra
    key = np.column_stack([extra["true_device"], site.probes.time])
    _, first = np.unique(key, axis=0, return_index=True)
    order = np.lexsort((site.probes.time[first], extra["true_device"][first]))
    return first[order]


def _by_model(site, name):
    return site.probes.extra["true_model"] == name


def _bursts(site, rows):
    """(burst, seq, time) of ``rows`` sorted by burst then time, and the first index of every burst."""
    extra = site.probes.extra
    burst, seq, t = extra["true_emission"][rows], extra["seq"][rows], site.probes.time[rows]
    order = np.lexsort((t, burst))
    burst, seq, t = burst[order], seq[order], t[order]
    return burst, seq, t, np.flatnonzero(np.r_[True, burst[1:] != burst[:-1]])


def test_bursts_have_two_to_five_frames_within_100_ms_counted_on_by_one(policies):
    """Every frame heard: each burst has 2-5 frames within 100 ms, sequence numbers one apart."""
    burst, seq, t, start = _bursts(policies, _frames(policies))
    frames = np.diff(np.r_[start, len(burst)])
    assert frames.min() == 2 and frames.max() == 5
    assert np.all(np.maximum.reduceat(t, start) - np.minimum.reduceat(t, start) <= 0.1 + 1e-9)
    same = burst[1:] == burst[:-1]
    assert np.all((seq[1:][same] - seq[:-1][same]) % 4096 == 1)
    assert np.all(np.diff(t)[same] > 0)


def test_the_default_phones_burst_within_100_ms_and_number_their_frames(realistic):
    """Frames can be missed: the heard ones of a burst are at most 5, within 100 ms, 1-4 sequence numbers apart."""
    phones = np.isin(realistic.probes.extra["true_kind"].astype(str), RANDOMISING + (PASSER_BY,))
    frames = _frames(realistic)
    burst, seq, t, start = _bursts(realistic, frames[phones[frames]])
    assert np.all(np.maximum.reduceat(t, start) - np.minimum.reduceat(t, start) <= 0.1 + 1e-9)
    same = burst[1:] == burst[:-1]
    step = (seq[1:][same] - seq[:-1][same]) % 4096
    assert step.min() >= 1 and step.max() <= 4 and np.mean(step == 1) > 0.8
    heard = np.diff(np.r_[start, len(burst)])
    assert heard.max() <= 5 and np.mean(heard >= 2) > 0.5
    assert np.all((seq >= 0) & (seq < 4096)) and np.issubdtype(seq.dtype, np.integer)



def test_a_device_starts_no_burst_within_2_s_of_its_last(realistic):
    extra = realistic.probes.extra
    _, first = np.unique(extra["true_emission"], return_index=True)
    device, start = extra["true_device"][first], np.minimum.reduceat(*_by_burst(realistic))
    order = np.lexsort((start, device))
    device, start = device[order], start[order]
    assert np.all(np.diff(start)[device[1:] == device[:-1]] >= 2.0 - 0.1)  # a burst's first frame can be missed


def _by_burst(site):
    """(times sorted by burst, first index of every burst) for reduceat."""
    order = np.argsort(site.probes.extra["true_emission"], kind="stable")
    burst = site.probes.extra["true_emission"][order]
    return site.probes.time[order], np.flatnonzero(np.r_[True, burst[1:] != burst[:-1]])


def test_every_ap_that_hears_everything_logs_every_frame_of_a_burst(policies):
    """Each row is one frame: with perfect reception each AP logs each frame, one burst has 2-5 rows per AP."""
    extra, probes = policies.probes.extra, policies.probes
    per_ap = np.unique(np.column_stack([extra["true_emission"], np.unique(probes.ap_id, return_inverse=True)[1]]),
                       axis=0, return_counts=True)[1]
    assert per_ap.min() >= 2 and per_ap.max() <= 5
    truth = policies.truth
    assert len(probes) == 2 * truth.frames.sum()
    assert np.array_equal(np.bincount(extra["true_device"], minlength=len(truth.kind)), 2 * truth.frames)


def test_the_sequence_counter_continues_or_restarts_as_the_model_says(policies):
    extra = policies.probes.extra
    frames = _frames(policies)
    device, seq, burst = extra["true_device"][frames], extra["seq"][frames], extra["true_emission"][frames]
    boundary = (device[1:] == device[:-1]) & (burst[1:] != burst[:-1])
    step = (seq[1:] - seq[:-1]) % 4096
    model = extra["true_model"][frames][1:]
    for name in ("burst-continue", "minutes-continue"):  # no frames between bursts: the counter runs on by 1
        assert np.all(step[boundary & (model == name)] == 1), name
    restarts = step[boundary & (model == "burst-restart")]
    assert len(restarts) > 50 and np.mean(restarts == 1) < 0.05  # a new MAC, a random restart
    kept = step[boundary & (model == "window-restart")]  # one MAC all window: never restarted
    assert len(kept) > 50 and np.all(kept == 1)


def test_each_model_keeps_its_mac_policy(policies):
    extra, mac, time = policies.probes.extra, policies.probes.mac, policies.probes.time
    per_burst = _by_model(policies, "burst-restart") | _by_model(policies, "burst-continue")
    bursts_of_mac = {}
    for m, b in zip(mac[per_burst], extra["true_emission"][per_burst]):
        bursts_of_mac.setdefault(m, set()).add(b)
    assert all(len(b) == 1 for b in bursts_of_mac.values())
    assert len(bursts_of_mac) == len(np.unique(extra["true_emission"][per_burst]))
    window = _by_model(policies, "window-restart")
    devices = extra["true_device"][window]
    assert len(np.unique(mac[window])) == len(np.unique(devices)) > 3
    minutes = _by_model(policies, "minutes-continue")
    for device in np.unique(extra["true_device"][minutes]):
        mine = minutes & (extra["true_device"] == device)
        macs = np.unique(mac[mine])
        assert 1 <= len(macs) <= 1 + 60 / 10  # one hour, a new MAC every 10 minutes
        for m in macs:
            assert np.ptp(time[mine & (mac == m)]) <= 600.0
    owners = {}
    for m, d in zip(mac, extra["true_device"]):
        owners.setdefault(m, set()).add(d)
    assert all(len(d) == 1 for d in owners.values())  # no two devices share a MAC


def test_the_fingerprint_is_the_models_signature_and_iphones_share_one(realistic):
    extra = realistic.probes.extra
    signature = {m.name: m.signature for m in PHONE_MODELS}
    phones = np.isin(extra["true_kind"].astype(str), RANDOMISING + (PASSER_BY,))
    assert all(signature[n] == f for n, f in zip(extra["true_model"][phones], extra["fingerprint"][phones]))
    iphones = [m for m in PHONE_MODELS if "iOS 17" in m.name]
    assert len(iphones) >= 2 and len({m.signature for m in iphones}) == 1
    assert len({m.signature for m in PHONE_MODELS}) >= 4


def test_the_truth_counts_the_configured_devices(realistic):
    config = sample_config(seed=4)
    counts, truth = realistic.truth.counts, realistic.truth
    phones = sum(c[3] for c in config.crowds) + config.indoor_clients
    assert counts["PHONES"] == phones
    assert counts["DEVICES"] == phones + config.iot_devices + config.connected_clients
    assert counts["PASSERS_BY"] == 15 == int((truth.kind == PASSER_BY).sum())
    assert counts["clients"] == counts["DEVICES"] + counts["PASSERS_BY"] == len(truth.kind) == len(truth.model)
    assert sum(counts["MODELS"].values()) == len(truth.kind)
    in_area = np.isin(truth.kind.astype(str), RANDOMISING)
    assert counts["FRAMES"] == truth.frames[in_area].sum() and counts["BURSTS"] == truth.emissions[in_area].sum()
    assert counts["FRAMES_PER_PHONE"] == pytest.approx(truth.frames[in_area].mean())
    assert 2 * counts["BURSTS"] <= counts["FRAMES"] <= 5 * counts["BURSTS"]
    heard = np.isin(realistic.probes.extra["true_kind"].astype(str), RANDOMISING)
    assert counts["HEARD_PER_PHONE"] == pytest.approx(heard.sum() / phones)
    assert sum(counts["P_by_k"].values()) == counts["RANDOMISING_PRS"]


def test_p_by_k_counts_distinct_aps_not_frames(policies):
    """With perfect reception at 2 APs every burst is heard by exactly 2 APs, however many frames it has."""
    counts = policies.truth.counts
    assert set(counts["P_by_k"]) == {2} and counts["P2"] == len(policies.probes)
    assert counts["EMISSIONS"] == len(np.unique(policies.probes.extra["true_emission"]))


def test_passers_by_are_brief_and_faint():
    config = SiteConfig(ap_xy=[(0, 0), (100, 0), (50, 80)], crowds=[(50, 30, 10, 30)], seed=5, **PERFECT,
                        devices=DeviceConfig(passers_by=20, passer_distance=80.0))
    site = simulate(config)
    extra = site.probes.extra
    walking = extra["true_kind"] == PASSER_BY
    assert walking.any()
    assert site.probes.rss[walking].mean() < site.probes.rss[~walking].mean() - 5
    for device in np.unique(extra["true_device"][walking]):
        assert np.ptp(site.probes.time[extra["true_device"] == device]) <= 8 * 60
    xy = np.column_stack([extra["true_x"], extra["true_y"]])[walking]
    outside = np.maximum(np.maximum(-80.0 - xy, xy - np.array([180.0, 160.0])), 0).max(axis=1)
    inside_box = (xy[:, 0] > -60) & (xy[:, 0] < 160) & (xy[:, 1] > -60) & (xy[:, 1] < 140)
    assert not inside_box.any() and outside.max() < 1e-6 + 1.6 * 8 * 60


def _digest(site):
    digest = hashlib.sha256()
    probes = site.probes
    for column in (probes.time, probes.rss, probes.ap_id, probes.mac, *(probes.extra[k] for k in sorted(probes.extra))):
        digest.update("|".join(map(str, column)).encode())
    digest.update(repr(sorted((k, str(v)) for k, v in site.truth.counts.items())).encode())
    return digest.hexdigest()


@pytest.mark.parametrize("seed", [0, 3])
def test_without_devices_the_simulation_is_the_plain_one(seed):
    config = sample_config(seed=seed)
    plain = simulate(config)
    assert config.devices is None
    assert _digest(simulate(replace(config, devices=False))) == _digest(plain)
    assert set(plain.probes.extra) == {"true_x", "true_y", "true_emission", "true_client", "true_kind"}
    assert plain.truth.model is None and plain.truth.frames is None and "DEVICES" not in plain.truth.counts
    realistic = simulate(replace(config, devices=True))
    n = len(plain.truth.kind)
    np.testing.assert_array_equal(realistic.truth.client_xy[:n], plain.truth.client_xy)  # the same people
    assert _digest(simulate(config)) == _digest(plain)  # simulating with devices left nothing behind


def test_the_same_seed_gives_the_same_devices_and_another_seed_others():
    config = replace(sample_config(seed=8), devices=DeviceConfig(passers_by=5))
    a, b, c = simulate(config), simulate(config), simulate(replace(config, seed=9))
    assert _digest(a) == _digest(b)
    assert _digest(a) != _digest(c)


def test_a_site_with_only_passers_by():
    site = simulate(SiteConfig(ap_xy=[(0, 0), (50, 0)], seed=1, devices=DeviceConfig(passers_by=4)))
    assert site.truth.counts["PASSERS_BY"] == 4 and site.truth.counts["DEVICES"] == 0
    assert len(site.connections) == 0
