"""A simulated site captured in every format (busy channel included) imports to exactly its simulated PRs, and
preprocessing the import gives the simulator's P, P1, P2, P3; sensor clocks seconds apart are found and
corrected from the frames several sensors heard."""
from dataclasses import replace

import numpy as np
import pytest
from capture_files import write_mixed_site

from wifidensity.algorithms.captures.clocksync import REFINE_WINDOW_S
from wifidensity.algorithms.captures.importer import import_captures
from wifidensity.algorithms.captures.probes import NO_RSS
from wifidensity.algorithms.captures.rehearsal import capture_macs, client_models, site_frames
from wifidensity.algorithms.captures.writer import DIRECTED_PROBE_REQUEST, PROBE_REQUEST
from wifidensity.algorithms.core.errors import InputError
from wifidensity.algorithms.counting.preprocess import preprocess
from wifidensity.algorithms.twin.simulate import sample_config, simulate

SECRET = "site-secret"
OFFSETS = {"AP2": -2.5, "AP5": 1.25, "CAFE": 3.0}  # seconds each sensor's clock is off
COUNTS = ("P", "P1", "P2", "P3")


@pytest.fixture(scope="module")
def site():
    return simulate(replace(sample_config(seed=3), burst=0.0))


def import_site(folder, frames, **options):
    folder.mkdir(exist_ok=True)
    return import_captures(write_mixed_site(folder, frames), secret=SECRET, **options)


def counts_after_preprocessing(result, site):
    connections = capture_macs(site).text(site.connections)  # raw, as the network controller lists them
    counts = preprocess(result.probes(), connections=connections, secret=SECRET).counts
    return {k: counts[k] for k in COUNTS}


def probe_rows(frames):
    """The probe requests among the written frames, by what the import must do with them."""
    probe = np.concatenate([np.isin(f.kind, [PROBE_REQUEST, DIRECTED_PROBE_REQUEST]) for f in frames.values()])
    bad = np.concatenate([f.bad_fcs for f in frames.values()])
    silent = np.concatenate([f.rss == NO_RSS for f in frames.values()])
    second_radio = np.concatenate([f.interface == 1 for f in frames.values()])
    return {"FRAMES": sum(len(f) for f in frames.values()), "DROPPED_BAD_FCS": int((probe & bad).sum()),
            "DROPPED_NO_RSS": int((probe & silent).sum()), "DROPPED_DUPLICATES": int((probe & second_radio).sum())}


def test_mixed_formats_import_exactly_the_simulated_prs(tmp_path, site):
    frames = site_frames(site, busy=True, seed=5)
    result = import_site(tmp_path, frames)
    expected = probe_rows(frames)
    assert result.counts["FRAMES"] == expected["FRAMES"] + 5  # + the Kismet log's Bluetooth rows
    for name in ("DROPPED_BAD_FCS", "DROPPED_NO_RSS", "DROPPED_DUPLICATES"):
        assert result.counts[name] == expected[name] > 0
    probes = site.probes
    assert result.counts["PROBES"] == len(probes) and result.counts["SENSORS"] == len(site.aps)
    simulated = np.lexsort((probes.time, probes.ap_id.astype(str)))
    imported = np.lexsort((result.time, result.ap_id.astype(str)))
    assert result.ap_id[imported].tolist() == probes.ap_id[simulated].tolist()
    np.testing.assert_allclose(result.time[imported], probes.time[simulated], rtol=0, atol=1e-6)
    assert result.rss[imported].tolist() == probes.rss[simulated].astype(int).tolist()
    model = client_models(site, seed=5)[probes.extra["true_client"][simulated]].tolist()
    assert len(set(zip(model, result.fingerprint[imported]))) == len(set(model)) == len(set(result.fingerprint)) > 1
    truth = site.truth.counts
    assert counts_after_preprocessing(result, site) == {k: truth[k] for k in COUNTS}


def test_clock_sync_recovers_offsets_and_the_multiplicities(tmp_path, site):
    frames = site_frames(site, busy=True, seed=5, clock_offsets=OFFSETS)
    truth = {k: site.truth.counts[k] for k in COUNTS}
    unsynced = counts_after_preprocessing(import_site(tmp_path / "raw", frames), site)
    result = import_site(tmp_path / "synced", frames, clock_sync=True)
    offsets = dict(zip(result.offsets.sensor, result.offsets.offset_s))
    matched = dict(zip(result.offsets.sensor, result.offsets.matched))
    reference = max(matched, key=matched.get)
    assert offsets[reference] == 0.0
    for sensor in site.aps.ids:
        true_offset = OFFSETS.get(sensor, 0.0) - OFFSETS.get(reference, 0.0)
        assert abs(offsets[sensor] - true_offset) < 0.010, sensor
        assert matched[sensor] > 100
    assert counts_after_preprocessing(result, site) == truth
    # Without synchronisation the offsets split emissions across the 2 s tolerance: P is the same PRs, but a
    # large share of the 2- and 3-AP PRs are counted as 1-AP PRs.
    assert unsynced["P"] == truth["P"]
    assert unsynced["P1"] > 1.2 * truth["P1"], (unsynced, truth)
    assert unsynced["P3"] < 0.8 * truth["P3"], (unsynced, truth)
    probes = site.probes
    simulated = np.lexsort((probes.time, probes.ap_id.astype(str)))
    imported = np.lexsort((result.time, result.ap_id.astype(str)))
    np.testing.assert_allclose(result.time[imported], probes.time[simulated] - OFFSETS.get(reference, 0.0),
                               rtol=0, atol=REFINE_WINDOW_S / 10)


def test_a_sensor_that_shares_no_frame_keeps_its_clock_and_is_named(tmp_path, site):
    frames = site_frames(site, busy=False)
    lonely = frames["AP1"]
    lonely.transmitter = lonely.transmitter ^ 0x0000_0000_0F0F  # other phones than the rest of the site hears
    result = import_captures(write_mixed_site(tmp_path, frames), secret=SECRET, clock_sync=True)
    offsets = dict(zip(result.offsets.sensor, result.offsets.offset_s))
    assert np.isnan(offsets["AP1"]) and sum(np.isfinite(list(offsets.values()))) == len(frames) - 1
    assert any("AP1" in w and "not corrected" in w for w in result.warnings)


def test_the_rehearsal_refuses_a_site_whose_emissions_are_spread_in_time():
    with pytest.raises(InputError, match="burst = 0"):
        site_frames(simulate(sample_config(seed=3)))
