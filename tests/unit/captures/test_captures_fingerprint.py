"""The fingerprint field: a keyed hash of the information elements a phone model sends the same in every scan.
On the 11 Polimi phones (one real capture each) a phone keeps few fingerprints across its randomised MACs and
the 11 phones give about 11; frames that differ only in SSID, channel or sequence number keep their fingerprint,
frames whose rates or HT capabilities differ do not; every capture format gives the same tokens."""
import re
from collections import defaultdict
from dataclasses import replace

import numpy as np
import pytest
from capture_files import write_airodump_log, write_kismet

from wifidensity.algorithms.captures import elements, writer
from wifidensity.algorithms.captures.importer import import_captures
from wifidensity.algorithms.captures.rehearsal import client_models, write_site_captures
from wifidensity.algorithms.captures.writer import (
    BROADCAST,
    DIRECTED_PROBE_REQUEST,
    MODELS,
    PROBE_REQUEST,
    Frames,
    write_pcap,
    write_pcapng,
)
from wifidensity.algorithms.twin.simulate import sample_config, simulate

SECRET = "fingerprint-secret"
START = 1717236000.0
TOKEN = re.compile(r"^[0-9a-f]{16}$")
POLIMI = "polimi-probing-patterns-pcap"
ANDROID = 3  # writer.MODELS: the model with vendor-specific and extension elements


def probes(model, count=6, kind=PROBE_REQUEST, freq=2437, seq0=100, mac0=0x02AA00000000):
    """``count`` probe requests of one device model, each from its own (randomised) MAC."""
    return Frames(START + np.arange(count, dtype=float), np.full(count, kind), mac0 + np.arange(count),
                  np.full(count, BROADCAST), seq0 + np.arange(count), np.full(count, -60), np.full(count, freq),
                  np.zeros(count, bool), np.zeros(count, dtype=np.int64), np.full(count, model))


def fingerprints(tmp_path, frames, secret=SECRET, name="S1.pcap"):
    path = tmp_path / name
    write_pcap(path, frames)
    result = import_captures([path], secret=secret)
    assert result.counts["PROBES"] == len(frames)
    return result.fingerprint


def with_model(monkeypatch, change):
    """Add a copy of the Android-like model with ``change`` {position in the model: new contents} and return its
    index."""
    model = [(ident, change.get(k, contents)) for k, (ident, contents) in enumerate(MODELS[ANDROID])]
    monkeypatch.setattr(writer, "MODELS", MODELS + (model,))
    return len(MODELS)


def test_one_model_gives_one_token_across_macs_ssids_channels_and_sequence_numbers(tmp_path):
    frames = Frames.concatenate([probes(ANDROID), probes(ANDROID, kind=DIRECTED_PROBE_REQUEST, mac0=0x02BB00000000),
                                 probes(ANDROID, freq=2412, seq0=3000, mac0=0x02CC00000000),
                                 probes(ANDROID, freq=2462, seq0=7, mac0=0x02DD00000000)])
    frames.time = START + np.arange(len(frames), dtype=float)
    tokens = fingerprints(tmp_path, frames)
    written = (tmp_path / "S1.pcap").read_bytes()
    assert writer.DIRECTED_SSID in written, "some frames ask for a network by name"
    assert all(bytes([3, 1, channel]) in written for channel in (1, 6, 11)), "DS Parameter Sets of 3 channels"
    assert len(set(tokens)) == 1 and TOKEN.match(tokens[0])


@pytest.mark.parametrize("change, same", [  # positions in MODELS[ANDROID]
    ({0: bytes.fromhex("02040b16")}, False),                                    # supported rates
    ({1: bytes.fromhex("0c12182430")}, False),                                  # extended supported rates
    ({3: bytes.fromhex("2d011bffff") + bytes(21)}, False),                      # HT capabilities
    ({4: bytes.fromhex("04004880014000400020")}, False),                        # extended capabilities
    ({6: bytes.fromhex("23010808180080203002800d019e000c0000f5fe")}, False),    # HE capabilities
    ({5: bytes.fromhex("020028")}, True),                                       # another extension's contents
    ({7: bytes.fromhex("00904c0508bf0c7678910ffaff0000faff0020")}, False),      # a vendor element's OUI type
    ({7: bytes.fromhex("00904c04") + bytes(15)}, True),                         # its payload after OUI and type
    ({8: bytes.fromhex("0050f3080012")}, False),                                # another vendor's OUI
])
def test_what_the_fingerprint_is_built_from(tmp_path, monkeypatch, change, same):
    base = fingerprints(tmp_path, probes(ANDROID), name="base.pcap")
    other = fingerprints(tmp_path, probes(with_model(monkeypatch, change)), name="other.pcap")
    assert len(set(base)) == len(set(other)) == 1
    assert (base[0] == other[0]) == same, change


def test_the_element_order_counts(tmp_path, monkeypatch):
    base = fingerprints(tmp_path, probes(ANDROID), name="base.pcap")
    swapped = list(MODELS[ANDROID])
    swapped[-1], swapped[-2] = swapped[-2], swapped[-1]
    monkeypatch.setattr(writer, "MODELS", MODELS + (swapped,))
    assert fingerprints(tmp_path, probes(len(MODELS)), name="swapped.pcap")[0] != base[0]


def test_models_apart_and_the_secret_keys_the_hash(tmp_path):
    frames = Frames.concatenate([probes(model, mac0=(0x02 << 40) + (model << 32)) for model in range(len(MODELS))])
    frames.time = START + np.arange(len(frames), dtype=float)
    first = fingerprints(tmp_path, frames, name="a.pcap")
    again = fingerprints(tmp_path, frames, name="b.pcap")
    other = fingerprints(tmp_path, frames, secret="another secret", name="c.pcap")
    assert len(set(first)) == len(MODELS) and first.tolist() == again.tolist()
    assert len(set(other)) == len(MODELS) and not set(first) & set(other)


def test_no_raw_element_bytes_leave_the_import(tmp_path):
    frames = probes(ANDROID)
    result = import_captures([_written(tmp_path, frames)], secret=SECRET)
    body = writer._body(PROBE_REQUEST, ANDROID)[0]
    signature = elements.signature(body)
    for column in (result.fingerprint, result.mac, result.ap_id, result.time_iso):
        for value in column:
            assert body.hex() not in str(value) and signature.hex() not in str(value)
    assert all(TOKEN.match(t) for t in result.fingerprint)
    assert not any(signature.hex()[:16] in w or body.hex()[:16] in w for w in result.warnings)


def _written(tmp_path, frames):
    path = tmp_path / "S1.pcapng"
    write_pcapng(path, frames)
    return path


def test_every_format_gives_the_same_tokens_and_airodump_logs_none(tmp_path):
    frames = Frames.concatenate([probes(model, mac0=(0x02 << 40) + (model << 32)) for model in range(len(MODELS))])
    frames.time = START + np.arange(len(frames), dtype=float)
    write_pcap(tmp_path / "A.pcap", frames, fcs=True)
    write_pcapng(tmp_path / "B.pcapng", frames, two_words=True)
    write_kismet(tmp_path / "C.kismet", {"C": frames})
    stamps = [f"2024-06-01 10:00:{k:02d}" for k in range(len(frames))]
    write_airodump_log(tmp_path / "D.log.csv", stamps, [f"02:aa:00:00:00:{k:02x}" for k in range(len(frames))],
                       [-60] * len(frames))
    result = import_captures(sorted(tmp_path.iterdir()), secret=SECRET)
    by_sensor = {s: result.fingerprint[result.ap_id == s].tolist() for s in ("A", "B", "C", "D")}
    assert by_sensor["A"] == by_sensor["B"] == by_sensor["C"] and len(set(by_sensor["A"])) == len(MODELS)
    assert by_sensor["D"] == [None] * len(frames)


def test_a_frame_cut_inside_its_elements_keeps_those_before_the_cut(tmp_path):
    frames = probes(ANDROID)
    whole = fingerprints(tmp_path, frames, name="whole.pcap")
    path = tmp_path / "cut.pcap"
    write_pcap(path, frames, snaplen=int(writer.payloads(frames)[0][1].shape[1]) - 30)
    cut = import_captures([path], secret=SECRET).fingerprint
    assert len(set(cut)) == 1 and TOKEN.match(cut[0]) and cut[0] != whole[0]


def test_signature_reads_what_it_keeps():
    body = bytes.fromhex("0003616263" "010482848b96" "030106" "dd0a00904c0408bf0c767891" "ff03020014" "0702aabb")
    assert elements.signature(body) == bytes.fromhex(
        "00000000" "010000" "0482848b96" "03000000" "dd000004" "00904c04" "ff010200" "07000000")
    assert elements.signature(body + bytes([45, 26, 1])) == elements.signature(body), "an element cut short"
    code, found = elements.signatures(np.frombuffer(bytes(8) + body + bytes(8), np.uint8), [8, 8 + 5], [8 + 5, 8 + 5])
    assert code.tolist() == [0, -1] and found == [elements.signature(body[:5])]


def test_polimi_phones_keep_few_fingerprints_and_eleven_phones_give_about_eleven(shared_data):
    phones = defaultdict(set)
    print("\nphone            frames  MACs  fingerprints (frames each)")
    for path in sorted((shared_data / POLIMI).glob("*_anonymized.pcap")):
        result = import_captures([path], secret=SECRET)
        tokens, counts = np.unique(result.fingerprint.astype(str), return_counts=True)
        phone = path.name.split("_")[0]
        print(f"{phone:16s} {len(result.mac):6d} {len(set(result.mac)):5d}  {len(tokens)} "
              f"({', '.join(map(str, sorted(counts, reverse=True)))})")
        assert all(TOKEN.match(t) for t in tokens)
        assert len(tokens) <= 3, phone
        assert counts.max() >= 0.6 * len(result.mac), phone
        if len(set(result.mac)) >= 25:
            assert len(tokens) <= len(set(result.mac)) / 8, "far fewer fingerprints than randomised MACs"
        for token in tokens:
            phones[token].add(phone)
    assert len({p for owners in phones.values() for p in owners}) == 11
    shared = sorted(sorted(owners) for owners in phones.values() if len(owners) > 1)
    print(f"distinct fingerprints across the 11 phones: {len(phones)}; shared by: {shared}")
    assert abs(len(phones) - 11) <= 4
    assert all(all(p.startswith("iPhone") for p in owners) for owners in shared), "only iPhones look alike"
    android = [owners for owners in phones.values() if owners & {"S21Ultra-M", "OppoFindX3Neo-A"}]
    assert all(len(owners) == 1 for owners in android)

def test_the_rehearsal_gives_each_client_one_model_for_the_seed(tmp_path):
    site = simulate(replace(sample_config(seed=4), burst=0.0))
    models = client_models(site, seed=2)
    assert models.tolist() == client_models(site, seed=2).tolist()
    assert models.tolist() != client_models(site, seed=3).tolist()
    assert set(models.tolist()) == set(range(1, len(MODELS))), "the sample site has clients of every model"
    result = import_captures(write_site_captures(site, tmp_path, busy=True, seed=2), secret=SECRET)
    probe = site.probes
    simulated = np.lexsort((probe.time, probe.ap_id.astype(str)))
    imported = np.lexsort((result.time, result.ap_id.astype(str)))
    assert result.ap_id[imported].tolist() == probe.ap_id[simulated].tolist()
    model = models[probe.extra["true_client"][simulated]]
    token = result.fingerprint[imported]
    pairs = set(zip(model.tolist(), token.tolist()))
    assert len(pairs) == len(set(model.tolist())) == len(set(token.tolist())), "one token a model, one model a token"
    randomising = np.isin(probe.extra["true_kind"][simulated].astype(str), ["outdoor", "indoor"])
    assert len(set(result.mac[imported][randomising])) > 5 * len(set(token[randomising]))
