"""Scan bursts as one emission: hand-made bursts, and the simulated sample site with each AP hearing a scan's
frames several times (what real phones do and the simulator does not)."""
import numpy as np
import pytest

from wifidensity.algorithms.core.errors import InputError
from wifidensity.algorithms.core.records import Probes
from wifidensity.algorithms.counting.preprocess import BURSTS, PAPER, preprocess
from wifidensity.algorithms.twin.simulate import sample_config, simulate


def _table(rows):
    time, ap, mac, rss = zip(*rows)
    return Probes(np.array(time, float), np.array(ap, object), np.array(mac, object), np.array(rss, float))


# one scan of MAC a: AP A hears 3 of its frames, AP B 2, within 60 ms; MAC b scans once at A
BURST = [(0.00, "A", "a", -60), (0.02, "A", "a", -64), (0.04, "B", "a", -71), (0.05, "A", "a", -62),
         (0.06, "B", "a", -73), (30.0, "A", "b", -80)]


def test_a_burst_heard_several_times_by_an_ap_is_one_emission():
    out = preprocess(_table(BURST), grouping=BURSTS, all_classes=True)
    assert out.counts["EMISSIONS"] == 2
    assert (out.counts["P1"], out.counts["P2"], out.counts["P"]) == (1, 2, 3)
    assert out.counts["FRAMES"] == 6
    rss = dict(zip(zip(out.probes.mac, out.probes.ap_id), out.probes.rss))
    assert rss == {("a", "A"): -62.0, ("a", "B"): -72.0, ("b", "A"): -80.0}  # each AP's mean in dBm


def test_the_paper_grouping_splits_the_burst_at_every_repeated_ap():
    out = preprocess(_table(BURST), grouping=PAPER, all_classes=True)
    assert out.counts["EMISSIONS"] == 1            # MAC a: 5 rows > THRESHOLD 3, so CF; b alone is CR
    assert set(out.probes.extra["class"][out.probes.mac == "a"]) == {"CF"}
    counted = preprocess(_table(BURST), grouping=PAPER, count_emissions=True, all_classes=True)
    assert counted.counts["EMISSIONS"] == 4        # (A, B), (A, B), (A) and b's


def test_an_unknown_grouping_is_refused():
    with pytest.raises(InputError, match="GROUPING"):
        preprocess(_table(BURST), grouping="frames")


@pytest.fixture(scope="module")
def bursty_site():
    """The sample site with every heard PR repeated 1-4 times at its AP within 80 ms, each copy with its own
    2 dB of noise: the simulator's emissions are the truth the grouping must find again."""
    site = simulate(sample_config(seed=5))
    rng = np.random.default_rng(17)
    probes = site.probes
    copies = rng.integers(1, 5, len(probes))
    index = np.repeat(np.arange(len(probes)), copies)
    time = probes.time[index] + np.where(np.r_[True, index[1:] != index[:-1]], 0.0,
                                         rng.uniform(0.005, 0.08, len(index)))
    rss = np.round(probes.rss[index] + rng.normal(0.0, 2.0, len(index)))
    order = np.argsort(time, kind="stable")
    extra = {"true_emission": probes.extra["true_emission"][index][order],
             "true_kind": probes.extra["true_kind"][index][order]}
    return site, Probes(time[order], probes.ap_id[index][order], probes.mac[index][order], rss[order], extra)


def test_bursts_recover_the_true_emissions_where_the_paper_grouping_inflates_them(bursty_site):
    site, bursty = bursty_site
    truth = site.truth.counts
    plain = preprocess(site.probes, connections=site.connections, count_emissions=True)
    merged = preprocess(bursty, connections=site.connections, grouping=BURSTS)
    assert merged.counts["EMISSIONS"] == plain.counts["EMISSIONS"] == truth["EMISSIONS"]
    assert merged.counts["P_BY_K"] == plain.counts["P_BY_K"]
    assert merged.counts["FRAMES"] > 2 * merged.counts["P"]
    split = preprocess(bursty, connections=site.connections, grouping=PAPER, count_emissions=True, all_classes=True)
    randomised = np.isin(bursty.extra["true_kind"].astype(str), ["outdoor", "indoor"])
    dropped = np.mean(split.probes.extra["class"][randomised] == "CF")
    print(f"\nbursty sample site: {truth['EMISSIONS']} true emissions; bursts find {merged.counts['EMISSIONS']}, "
          f"the paper's grouping {split.counts['EMISSIONS']} and drops {dropped:.0%} of the randomised frames as CF")
    assert split.counts["EMISSIONS"] != truth["EMISSIONS"]
    assert dropped > 0.2


def test_each_burst_is_one_true_emission(bursty_site):
    site, bursty = bursty_site
    merged = preprocess(bursty, connections=site.connections, grouping=BURSTS)
    found = merged.probes.extra["emission"]
    true = site.probes.extra["true_emission"]
    pairs = np.unique(np.column_stack([found, _true_emission_of(merged.probes, bursty)]), axis=0)
    assert len(pairs) == len(np.unique(found)) == len(np.unique(true[np.isin(
        site.probes.extra["true_kind"].astype(str), ["outdoor", "indoor"])]))


def _true_emission_of(out, bursty):
    """The true emission of each output row, found by its MAC (randomised MACs are fresh per emission)."""
    first = {}
    for mac, emission in zip(bursty.mac, bursty.extra["true_emission"]):
        first.setdefault(mac, emission)
    return np.array([first[m] for m in out.mac])
