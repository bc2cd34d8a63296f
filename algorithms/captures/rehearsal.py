"""Captures of a simulated site, one pcapng per AP, so the chain from sensor files to client maps can be
rehearsed (and tested) on data whose truth is known.

Each simulated PR becomes one probe request in its AP's capture: the emission's MAC as transmitter, its RSS as
dBm_AntSignal, the AP's channel, and one sequence number per emission, so one emission is the same frame at
every AP that hears it. That needs the emission at one instant at every AP: simulate with ``burst=0``. Each
client is one of a few device models (``writer.MODELS``: iPhone-like and Android-like information elements),
drawn once per client for the seed, so its probe requests carry the same elements whatever MAC they use.
A busy channel can be added: beacons, probe responses, data frames of connected clients, probe requests
with a bad FCS or without signal strength, and second copies of some probe requests from a second radio.
"""
import re
import zlib
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from ..core.errors import InputError
from .probes import NO_RSS
from .writer import (
    BEACON,
    BROADCAST,
    DATA,
    DIRECTED_PROBE_REQUEST,
    MODELS,
    PROBE_REQUEST,
    PROBE_RESPONSE,
    Frames,
    write_pcapng,
)

CHANNELS_MHZ = (2412, 2437, 2462)  # channels 1, 6 and 11, taken in turn by the APs
BEACON_INTERVAL_S = 5.0
SHARES = {"directed": 0.1, "responses": 0.2, "bad_fcs": 0.01, "no_rss": 0.005, "second_radio": 0.02}
DATA_FRAMES_PER_HOUR = 120  # per connected client, at its AP
MODEL_SHARES = (0.0, 0.3, 0.2, 0.3, 0.2)  # of the clients, per writer.MODELS (iOS 16, iOS 15, two Android 13)
_MODEL_STREAM = 0x1E  # the random stream of the device models, apart from the busy channel's
_SECOND_RADIO_DELAY_S = 0.0003
_MAC_MULTIPLIER, _MAC_INCREMENT = 0x5DEECE66D, 0xB  # an odd multiplier: a bijection modulo 2^46
_SAFE_NAME = re.compile(r"^[A-Za-z0-9._-]+$")


@dataclass
class CaptureMacs:
    """The 48-bit address given to every MAC token of a simulated site (locally administered and unicast, as a
    randomised MAC is); distinct tokens get distinct addresses."""

    tokens: np.ndarray
    addresses: np.ndarray

    def address(self, tokens):
        """The 48-bit address of each token (all must be tokens of the site)."""
        tokens = np.asarray(tokens, dtype=str)
        position = np.searchsorted(self.tokens, tokens).clip(0, max(len(self.tokens) - 1, 0))
        if len(tokens) and not np.array_equal(self.tokens[position], tokens):
            raise InputError("A MAC token that is not of the simulated site was given an address.")
        return self.addresses[position]

    def text(self, tokens):
        """The addresses of ``tokens`` as 'aa:bb:cc:dd:ee:ff' text (for the connections table of a rehearsal)."""
        return np.array([":".join(f"{a:012x}"[i:i + 2] for i in range(0, 12, 2)) for a in self.address(tokens)],
                        dtype=object)


def capture_macs(site):
    """CaptureMacs of every token of ``site`` (its PRs, connections and fixed-MAC clients)."""
    tokens = np.unique(np.concatenate([np.asarray(site.probes.mac, dtype=str), np.asarray(site.connections, str),
                                       np.asarray(site.truth.client_mac, dtype=str)]))
    tokens = tokens[tokens != ""]
    mixed = (np.arange(len(tokens), dtype=np.int64) * _MAC_MULTIPLIER + _MAC_INCREMENT) & ((1 << 46) - 1)
    addresses = (mixed >> 40) << 42 | 0x02 << 40 | (mixed & ((1 << 40) - 1))
    return CaptureMacs(tokens, addresses)


def site_frames(site, busy=True, seed=0, clock_offsets=None):
    """{AP id: Frames} of ``site`` (simulate.SimulatedSite with burst=0): its PRs, plus a busy channel when
    ``busy``; ``clock_offsets`` {AP id: seconds} shifts the clocks of some sensors."""
    probes = site.probes
    emission = probes.extra["true_emission"]
    _check_one_instant(probes.time, emission)
    macs = capture_macs(site)
    seq = _sequence_numbers(probes.mac, emission, probes.time)
    model = client_models(site, seed)[probes.extra["true_client"]]
    rng = np.random.default_rng(seed)
    result = {}
    for number, ap in enumerate(site.aps.ids):
        mine = np.flatnonzero(probes.ap_id == ap)
        freq = CHANNELS_MHZ[number % len(CHANNELS_MHZ)]
        directed = rng.random(len(mine)) < SHARES["directed"]
        heard = _frames(probes.time[mine], np.where(directed, DIRECTED_PROBE_REQUEST, PROBE_REQUEST),
                        macs.address(probes.mac[mine]), BROADCAST, seq[mine], probes.rss[mine], freq,
                        model=model[mine])
        parts = [heard] + (_busy(heard, site, ap, number, macs, freq, rng) if busy else [])
        frames = Frames.concatenate(parts)
        frames.time = frames.time + (clock_offsets or {}).get(ap, 0.0)
        result[str(ap)] = frames.take(np.argsort(frames.time, kind="stable"))
    return result


def client_models(site, seed=0):
    """The device model (index into writer.MODELS) of every client of ``site``, drawn with MODEL_SHARES; the same
    for the same seed."""
    rng = np.random.default_rng([seed, _MODEL_STREAM])
    return rng.choice(len(MODELS), size=len(site.truth.kind), p=MODEL_SHARES)


def write_site_captures(site, folder, busy=True, seed=0):
    """Write ``<AP id>.pcapng`` for every AP of ``site`` into ``folder`` (radiotap, microsecond timestamps, two
    radios when ``busy``); returns the paths. The import names each sensor after its file, so the imported
    ``ap_id`` is the AP id."""
    unsafe = [str(ap) for ap in site.aps.ids if not _SAFE_NAME.match(str(ap))]
    if unsafe:
        raise InputError(f"AP ids {', '.join(unsafe)} cannot name capture files: use letters, digits, '.', '_' "
                         "or '-' in the AP ids.")
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    paths = []
    for ap, frames in site_frames(site, busy=busy, seed=seed).items():
        path = folder / f"{ap}.pcapng"
        write_pcapng(path, frames, interfaces=2 if busy else 1)
        paths.append(str(path))
    return paths


def _check_one_instant(time, emission):
    order = np.lexsort((time, emission))
    e, t = emission[order], time[order]
    same = e[1:] == e[:-1]
    if np.any(t[1:][same] != t[:-1][same]):
        raise InputError("The PRs of one emission must share one instant to be written as one frame heard by "
                         "several sensors: simulate with burst = 0.")


def _sequence_numbers(mac, emission, time):
    """One sequence number per emission: each MAC counts its emissions on from a start of its own, mod 4096."""
    ids, first, of_row = np.unique(emission, return_index=True, return_inverse=True)
    tokens, mac_code = np.unique(np.asarray(mac, dtype=str)[first], return_inverse=True)
    mac_code = mac_code.reshape(-1)
    order = np.lexsort((time[first], mac_code))
    group_start = np.flatnonzero(np.r_[True, mac_code[order][1:] != mac_code[order][:-1]])
    rank = np.empty(len(ids), dtype=np.int64)
    rank[order] = np.arange(len(ids)) - np.repeat(group_start, np.diff(np.r_[group_start, len(ids)]))
    start = np.array([zlib.crc32(t.encode()) % 4096 for t in tokens], dtype=np.int64)
    return ((start[mac_code] + rank) % 4096)[of_row.reshape(-1)]


def _frames(time, kind, transmitter, receiver, seq, rss, freq, bad_fcs=False, interface=0, model=0):
    count = len(time)

    def column(value, dtype):
        return np.broadcast_to(np.asarray(value, dtype=dtype), (count,)).copy()
    return Frames(column(time, np.float64), column(kind, np.int64), column(transmitter, np.int64),
                  column(receiver, np.int64), column(seq, np.int64), column(rss, np.int64),
                  column(freq, np.int64), column(bad_fcs, bool), column(interface, np.int64),
                  column(model, np.int64))


def _busy(heard, site, ap, number, macs, freq, rng):
    """Beacons, probe responses, data frames, bad-FCS and signal-less probe requests, second-radio copies."""
    bssid = (0x02 << 40) | (0xB5 << 32) | number  # the AP's own address
    start, end = float(site.probes.time.min()), float(site.probes.time.max())
    beacon_time = np.arange(start, end, BEACON_INTERVAL_S)
    parts = [_frames(beacon_time, BEACON, bssid, BROADCAST, np.arange(len(beacon_time)) % 4096, -40, freq)]
    answered = np.flatnonzero(rng.random(len(heard)) < SHARES["responses"])
    parts.append(_frames(heard.time[answered] + 0.002, PROBE_RESPONSE, bssid, heard.transmitter[answered],
                         (len(beacon_time) + np.arange(len(answered))) % 4096, -40, freq))
    clients = np.asarray(site.connections)[np.asarray(site.connection_ap) == ap]
    hours = max((end - start) / 3600.0, 1e-9)
    sends = rng.poisson(DATA_FRAMES_PER_HOUR * hours, len(clients))
    sender = np.repeat(macs.address(clients), sends) if len(clients) else np.zeros(0, dtype=np.int64)
    parts.append(_frames(rng.uniform(start, end, len(sender)), DATA, sender, bssid,
                         rng.integers(0, 4096, len(sender)), rng.integers(-85, -50, len(sender)), freq))
    for share, bad_fcs, rss in ((SHARES["bad_fcs"], True, -70), (SHARES["no_rss"], False, NO_RSS)):
        count = int(round(share * len(heard)))
        parts.append(_frames(rng.uniform(start, end, count), PROBE_REQUEST, _random_addresses(rng, count),
                             BROADCAST, rng.integers(0, 4096, count), rss, freq, bad_fcs=bad_fcs))
    copies = np.flatnonzero(rng.random(len(heard)) < SHARES["second_radio"])
    again = heard.take(copies)
    again.time = again.time + _SECOND_RADIO_DELAY_S
    again.rss = again.rss - 1
    again.interface[:] = 1
    parts.append(again)
    return parts


def _random_addresses(rng, count):
    """Random locally administered unicast addresses (first octet: bit 1 set, bit 0 clear)."""
    return rng.integers(0, 1 << 48, count, dtype=np.int64) & ~(0x03 << 40) | 0x02 << 40
