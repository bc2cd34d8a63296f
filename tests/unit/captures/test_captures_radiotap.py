"""The radiotap rules, on headers written byte by byte (independently of the product's writer): fields in bit
order, each aligned to its size from the header start, extended present words, namespace switches, vendor
namespaces stepped over by their skip length, the first dBm_AntSignal, the Flags' FCS bits."""
import struct

import pytest

from wifidensity.algorithms.captures import radiotap
from wifidensity.algorithms.captures.importer import import_captures

MAC = bytes.fromhex("3a1bc0ffee42")
TIME = 1717236000.25


def probe_request(mac=MAC, seq=1234, fcs=False):
    """An 802.11 probe request (wildcard SSID), with a 4-byte FCS at the end when ``fcs``."""
    header = struct.pack("<HH", 0x0040, 0) + b"\xff" * 6 + mac + b"\xff" * 6 + struct.pack("<H", seq << 4)
    return header + b"\x00\x00" + bytes([1, 4, 2, 4, 11, 22]) + (b"\x12\x34\x56\x78" if fcs else b"")


def radiotap_header(words, fields):
    """``fields``: [(offset, bytes)] placed at their offsets from the header start (the test does the layout)."""
    length = max(offset + len(value) for offset, value in fields)
    header = bytearray(length)
    header[:4] = struct.pack("<BBH", 0, 0, length)
    for k, word in enumerate(words):
        header[4 + 4 * k:8 + 4 * k] = struct.pack("<I", word)
    for offset, value in fields:
        header[offset:offset + len(value)] = value
    return bytes(header)


def pcap_file(path, packets, linktype=127):
    """A little-endian microsecond pcap of (time, bytes) packets."""
    with open(path, "wb") as handle:
        handle.write(struct.pack("<IHHiIII", 0xA1B2C3D4, 2, 4, 0, 0, 65535, linktype))
        for stamp, data in packets:
            micro = round(stamp * 1e6)
            handle.write(struct.pack("<IIII", micro // 10**6, micro % 10**6, len(data), len(data)) + data)
    return path


def imported(tmp_path, *packets):
    return import_captures([pcap_file(tmp_path / "S1.pcap", [(TIME + k, p) for k, p in enumerate(packets)])],
                           secret="k")


def test_tsft_is_aligned_to_8_bytes_after_two_present_words(tmp_path):
    # words: TSFT, Flags, Channel, dBm_AntSignal + ext; then an empty radiotap-namespace word
    words = (1 << 0 | 1 << 1 | 1 << 3 | 1 << 5 | 1 << 31, 0)
    header = radiotap_header(words, [(16, struct.pack("<Q", 99)), (24, b"\x00"), (26, struct.pack("<HH", 2437, 0xA0)),
                                     (30, struct.pack("b", -67))])
    assert radiotap.layout(words) == radiotap.Layout(flags=24, channel=26, antsignal=30, end=31, unknown=False)
    result = imported(tmp_path, header + probe_request())
    assert result.rss.tolist() == [-67] and result.freq_mhz.tolist() == [2437] and result.seq.tolist() == [1234]


def test_the_first_dbm_antsignal_is_the_rss_and_later_namespaces_follow_the_alignment_rules(tmp_path):
    # word 0: Flags, Rate, dBm_AntSignal, radiotap namespace next; word 1: dBm_AntSignal, Antenna (one chain)
    words = (1 << 1 | 1 << 2 | 1 << 5 | 1 << 29 | 1 << 31, 1 << 5 | 1 << 11)
    header = radiotap_header(words, [(12, b"\x00"), (13, b"\x02"), (14, struct.pack("b", -60)),
                                     (15, struct.pack("b", -64)), (16, b"\x01")])
    assert imported(tmp_path, header + probe_request()).rss.tolist() == [-60]


def test_a_signal_only_in_a_later_radiotap_namespace_is_found(tmp_path):
    # word 0: Channel (aligned at 12), switch to the radiotap namespace; word 1: TSFT (aligned at 16), dBm_AntSignal
    words = (1 << 3 | 1 << 29 | 1 << 31, 1 << 0 | 1 << 5)
    header = radiotap_header(words, [(12, struct.pack("<HH", 5180, 0x140)), (16, struct.pack("<Q", 7)),
                                     (24, struct.pack("b", -71))])
    result = imported(tmp_path, header + probe_request())
    assert result.rss.tolist() == [-71] and result.freq_mhz.tolist() == [5180]


@pytest.mark.parametrize("skip, channel_at", [(5, 30), (6, 30), (7, 32), (12, 36)])
def test_vendor_namespaces_are_stepped_over_by_their_skip_length(tmp_path, skip, channel_at):
    # word 0: Flags, vendor namespace next; word 1 (vendor): two vendor bits, back to radiotap; word 2: Channel,
    # dBm_AntSignal. Flags at 16, the vendor field aligned at 18 (6 bytes), its data from 24 for ``skip`` bytes.
    words = (1 << 1 | 1 << 30 | 1 << 31, 1 << 0 | 1 << 3 | 1 << 29 | 1 << 31, 1 << 3 | 1 << 5)
    vendor = b"\x00\x11\x22" + b"\x01" + struct.pack("<H", skip) + b"\xee" * skip
    header = radiotap_header(words, [(16, b"\x00"), (18, vendor), (channel_at, struct.pack("<HH", 2462, 0xA0)),
                                     (channel_at + 4, struct.pack("b", -58))])
    result = imported(tmp_path, header + probe_request())
    assert result.rss.tolist() == [-58] and result.freq_mhz.tolist() == [2462]


def test_several_vendor_layouts_in_one_file_are_each_read_right(tmp_path):
    words = (1 << 1 | 1 << 30 | 1 << 31, 1 << 29 | 1 << 31, 1 << 5)
    packets = []
    for skip, rss in ((2, -50), (3, -51), (8, -52)):
        vendor = b"\x00\x11\x22\x00" + struct.pack("<H", skip) + bytes(skip)
        packets.append(radiotap_header(words, [(16, b"\x00"), (18, vendor), (24 + skip, struct.pack("b", rss))])
                       + probe_request())
    assert imported(tmp_path, *packets).rss.tolist() == [-50, -51, -52]


def test_a_field_of_unknown_size_before_the_signal_leaves_the_frame_without_rss(tmp_path):
    # word 0: Flags, ext (no namespace switch); word 1 = bits 32.. of the radiotap namespace: undefined sizes
    words = (1 << 1 | 1 << 31, 1 << 0 | 1 << 29 | 1 << 31, 1 << 5)
    unreadable = radiotap_header(words, [(16, b"\x00"), (20, struct.pack("b", -40))]) + probe_request()
    plain = radiotap_header((1 << 5,), [(8, struct.pack("b", -77))]) + probe_request(seq=9)
    result = imported(tmp_path, unreadable, plain)
    assert result.rss.tolist() == [-77] and result.counts["DROPPED_NO_RSS"] == 1
    assert any("unknown size" in w for w in result.warnings)


def test_bad_fcs_frames_are_dropped_and_fcs_at_end_frames_kept(tmp_path):
    words = (1 << 1 | 1 << 5,)
    good = radiotap_header(words, [(8, bytes([radiotap.FLAG_FCS_AT_END])), (9, struct.pack("b", -61))])
    bad = radiotap_header(words, [(8, bytes([radiotap.FLAG_FCS_AT_END | radiotap.FLAG_BAD_FCS])),
                                  (9, struct.pack("b", -62))])
    result = imported(tmp_path, good + probe_request(fcs=True), bad + probe_request(seq=7, fcs=True))
    assert result.rss.tolist() == [-61]
    assert result.counts["DROPPED_BAD_FCS"] == 1 and result.counts["PROBES"] == 1


def test_group_bit_addresses_are_kept_and_tsft_is_not_the_time(tmp_path):
    group_mac = bytes.fromhex("3b65f7f91450")  # first octet odd: group bit set, as anonymised captures have
    words = (1 << 0 | 1 << 5,)
    header = radiotap_header(words, [(8, struct.pack("<Q", 5_000_000)), (16, struct.pack("b", -70))])
    result = imported(tmp_path, header + probe_request(mac=group_mac))
    assert result.counts["PROBES"] == 1
    assert result.time.tolist() == [pytest.approx(TIME, abs=1e-6)]


def test_other_frame_types_are_not_probe_requests(tmp_path):
    header = radiotap_header((1 << 5,), [(8, struct.pack("b", -70))])
    frame = probe_request()
    response, beacon = bytes([0x50]) + frame[1:], bytes([0x80]) + frame[1:]
    data = bytes([0x08, 0x01]) + frame[2:]
    result = imported(tmp_path, header + frame, header + response, header + beacon, header + data)
    assert result.counts["FRAMES"] == 4 and result.counts["PROBES"] == 1
