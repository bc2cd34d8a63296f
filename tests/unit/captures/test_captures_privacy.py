"""Tokens made on import are the Preprocessing tool's tokens, and no raw MAC or SSID reaches any output."""
import hashlib
import hmac
import re
from dataclasses import replace
from pathlib import Path

import numpy as np
import pytest

from wifidensity.algorithms.captures.importer import import_captures
from wifidensity.algorithms.captures.rehearsal import capture_macs, write_site_captures
from wifidensity.algorithms.captures.writer import DIRECTED_SSID, SITE_SSID
from wifidensity.algorithms.core.privacy import hash_macs, keyed_tokens
from wifidensity.algorithms.core.timeparse import micro_to_iso_utc, to_seconds
from wifidensity.algorithms.twin.simulate import sample_config, simulate


@pytest.mark.parametrize("secret", ["k", "a secret of exactly sixty-four bytes, the SHA-256 block size!!!!!",
                                    "a much longer secret than one SHA-256 block, which RFC 2104 hashes first" * 2,
                                    "clé ünïcode"])
def test_keyed_tokens_are_hmac_sha256(secret):
    messages = [b"aa:bb:cc:dd:ee:ff", b"", b"3a:1b:c0:ff:ee:42"]
    expected = [hmac.new(secret.encode("utf-8"), m, hashlib.sha256).hexdigest()[:16] for m in messages]
    assert keyed_tokens(messages, secret) == expected


def test_iso_text_carries_microseconds_and_z_and_reads_back():
    micro = np.array([1717236000_000000, 1717236001_048576, 0])
    text = micro_to_iso_utc(micro)
    assert text.tolist() == ["2024-06-01T10:00:00.000000Z", "2024-06-01T10:00:01.048576Z",
                             "1970-01-01T00:00:00.000000Z"]
    assert to_seconds(text.astype(object)).tolist() == (micro / 1e6).tolist()


@pytest.fixture(scope="module")
def site_import(tmp_path_factory):
    site = simulate(replace(sample_config(seed=11), burst=0.0, crowds=[(616990 + 150, 5450290 + 100, 40, 40)],
                            indoor_clients=5, iot_devices=2, connected_clients=4))
    folder = tmp_path_factory.mktemp("captures")
    paths = write_site_captures(site, folder, busy=True)
    return site, paths, import_captures(paths, secret="s", clock_sync=True)


def test_one_phone_heard_by_two_sensors_has_the_preprocessing_token(site_import):
    site, _, result = site_import
    macs = capture_macs(site)
    expected = hash_macs(macs.text(site.probes.mac), "s")
    by_prs = sorted(zip(np.round(site.probes.time * 1e6).astype(np.int64), site.probes.ap_id, expected))
    imported = sorted(zip(np.round(result.time * 1e6).astype(np.int64), result.ap_id, result.mac))
    assert by_prs == imported


def test_no_raw_mac_or_ssid_in_any_output(site_import):
    site, paths, result = site_import
    macs = capture_macs(site)
    raw_text = set(macs.text(macs.tokens)) | {t.upper() for t in macs.text(macs.tokens)}
    raw_bytes = {int(a).to_bytes(6, "big") for a in macs.addresses}
    captured = b"".join(Path(p).read_bytes() for p in paths)
    assert sum(captured.count(b) for b in list(raw_bytes)[:50]) > 0  # the captures do hold them
    outputs = [result.time_iso, result.ap_id, result.mac, result.rss, result.seq, result.freq_mhz,
               result.offsets.sensor, result.offsets.offset_s, result.offsets.matched, result.warnings,
               list(result.counts)]
    text = "\n".join(str(v) for column in outputs for v in np.asarray(column, dtype=object).tolist())
    assert not re.search(r"[0-9a-f]{2}([:-])([0-9a-f]{2}\1){4}[0-9a-f]{2}", text, re.IGNORECASE)
    assert not any(mac in text for mac in raw_text)
    assert not any(m.replace(":", "") in text.lower() for m in list(raw_text)[:2000])
    assert DIRECTED_SSID.decode() not in text and SITE_SSID.decode() not in text
    blob = text.encode("utf-8") + b"".join(np.asarray(c).tobytes() for c in (result.rss, result.seq, result.time))
    assert not any(b in blob for b in raw_bytes)
