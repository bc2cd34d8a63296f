"""Real captures: the Politecnico di Milano probe-request pcaps (radiotap, anonymised addresses, FCS at the end
of every frame; see their SOURCE.md) import completely, and agree frame for frame with dpkt, an independent
parser read one packet at a time, and whose fingerprints group the frames as the elements an independent reading
keeps group them."""
import dpkt
import numpy as np
import pytest

from wifidensity.algorithms.captures.importer import import_captures
from wifidensity.algorithms.core.privacy import hash_macs

FILES = ["iPhone11-F_anonymized.pcap", "S21Ultra-M_anonymized.pcap"]
SECRET = "real"


def _sequence_number(frag_seq):
    """dpkt reads Sequence Control big-endian; 802.11 sends it little-endian (IEEE 802.11-2020 §9.2.2)."""
    return ((frag_seq & 0xFF) << 8 | frag_seq >> 8) >> 4


def kept_elements(body):
    """The device-model signature of a frame body read element by element: ids in order (and extension ids),
    contents of rates, HT, VHT, extended and HE capabilities, OUI + type of vendor elements."""
    kept, position = [], 0
    while position + 2 <= len(body) and position + 2 + body[position + 1] <= len(body):
        ident, contents = body[position], body[position + 2:position + 2 + body[position + 1]]
        if ident in (1, 50, 45, 191, 127):
            kept.append((ident, contents))
        elif ident == 221:
            kept.append((ident, contents[:4]))
        elif ident == 255 and contents:
            kept.append((ident, contents[0], contents[1:] if contents[0] == 35 else b""))
        else:
            kept.append((ident,))
        position += 2 + len(contents)
    return tuple(kept)


def dpkt_probes(path):
    """(frames, [(time, transmitter text, rss, seq, freq, bad fcs, kept elements)] of the probe requests) read by
    dpkt."""
    rows, frames = [], 0
    with open(path, "rb") as handle:
        for stamp, data in dpkt.pcap.Reader(handle):
            frames += 1
            radio = dpkt.radiotap.Radiotap(data)
            frame = radio.data
            if frame.type == 0 and frame.subtype == 4:
                body = data[radio.length + 24:len(data) - (4 if radio.flags.val & 0x10 else 0)]
                rows.append((stamp, ":".join(f"{b:02x}" for b in frame.mgmt.src), radio.ant_sig.db,
                             _sequence_number(frame.mgmt.frag_seq), radio.channel.freq, bool(radio.flags.val & 0x40),
                             kept_elements(body)))
    return frames, rows


@pytest.fixture(scope="module", params=FILES)
def capture(request, shared_data):
    path = shared_data / "polimi-probing-patterns-pcap" / request.param
    return path, import_captures([path], secret=SECRET), dpkt_probes(path)


def first_copies(rows, window_s=0.005):
    """The rows in time order without later copies of a frame (same address and sequence number within
    ``window_s`` of an earlier copy): the sniffers of one file heard some frames twice."""
    kept, last = [], {}
    for row in sorted(rows, key=lambda r: r[0]):
        key = (row[1], row[3])
        if key not in last or row[0] - last[key] > window_s:
            kept.append(row)
        last[key] = row[0]
    return kept


def test_every_frame_is_a_probe_request_read_like_dpkt_reads_it(capture):
    path, result, (frames, rows) = capture
    assert result.counts["FRAMES"] == frames == len(rows) > 100
    usable = [r for r in rows if not r[5] and r[2] <= 0]
    kept = first_copies(usable)
    assert result.counts["PROBES"] == len(kept)
    assert result.counts["DROPPED_DUPLICATES"] == len(usable) - len(kept)
    assert result.counts["DROPPED_NO_RSS"] == sum(1 for r in rows if r[2] > 0)
    assert result.counts["DROPPED_BAD_FCS"] == sum(1 for r in rows if r[5]) == 0
    usable = kept
    order = range(len(usable))
    np.testing.assert_allclose(result.time, [usable[i][0] for i in order], rtol=0, atol=1e-6)
    assert result.rss.tolist() == [usable[i][2] for i in order]
    assert result.seq.tolist() == [usable[i][3] for i in order]
    assert result.freq_mhz.tolist() == [usable[i][4] for i in order]
    assert result.mac.tolist() == hash_macs([usable[i][1] for i in order], SECRET).tolist()
    assert set(result.ap_id) == {path.stem}
    pairs = set(zip(result.fingerprint.tolist(), [usable[i][6] for i in order]))
    assert len(pairs) == len(set(result.fingerprint)) == len({usable[i][6] for i in order}), \
        "one fingerprint per set of kept elements, and one set per fingerprint"


def test_rss_is_a_plausible_received_power_and_never_positive(capture):
    _, result, _ = capture
    assert result.rss.max() <= 0
    assert result.rss.min() >= -100 and result.rss.max() <= -20
    assert set(result.freq_mhz.tolist()) <= {2412, 2437, 2462}  # the sniffers sat on channels 1, 6, 11


def test_the_samsung_capture_holds_one_positive_signal_that_is_dropped(shared_data):
    path = shared_data / "polimi-probing-patterns-pcap" / "S21Ultra-M_anonymized.pcap"
    frames, rows = dpkt_probes(path)
    result = import_captures([path], secret=SECRET)
    assert [r[2] for r in rows if r[2] > 0] == [15] and result.counts["DROPPED_NO_RSS"] == 1
    assert result.counts["PROBES"] + result.counts["DROPPED_DUPLICATES"] == frames - 1
