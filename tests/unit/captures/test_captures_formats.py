"""Every capture format the import reads, told apart by its bytes: what goes in comes out, frame for frame;
damaged or unsuitable inputs are refused with a message that says what to do."""
import gzip
import sqlite3
import struct

import numpy as np
import pytest
from capture_files import KISMET_TABLES, write_airodump_log, write_kismet

from wifidensity.algorithms.captures.importer import import_captures, sensor_id
from wifidensity.algorithms.captures.probes import NO_RSS
from wifidensity.algorithms.captures.writer import (
    BEACON,
    BROADCAST,
    DATA,
    PROBE_REQUEST,
    PROBE_RESPONSE,
    Frames,
    write_pcap,
    write_pcapng,
)
from wifidensity.algorithms.core.errors import Cancelled, InputError
from wifidensity.algorithms.core.privacy import hash_macs
from wifidensity.algorithms.core.progress import Progress

START = 1717236000.0
SECRET = "sensor-secret"


def frames(count=40, seed=1, interface=0, others=True):
    """``count`` probe requests from distinct phones, plus (``others``) a beacon, a probe response and a data
    frame, whose transmitters must never become rows."""
    rng = np.random.default_rng(seed)
    time = START + np.sort(rng.uniform(0, 600, count))
    mac = rng.integers(0, 1 << 48, count, dtype=np.int64)
    probe = Frames(time, np.full(count, PROBE_REQUEST), mac, np.full(count, BROADCAST), rng.integers(0, 4096, count),
                   rng.integers(-95, -30, count), np.full(count, 2437), np.zeros(count, bool),
                   np.full(count, interface))
    if not others:
        return probe
    extra = Frames(START + np.array([1.0, 2.0, 3.0]), np.array([BEACON, PROBE_RESPONSE, DATA]),
                   np.array([0x02B500000001, 0x02B500000001, 0x0242AAAAAAAA]),
                   np.array([BROADCAST, mac[0], 0x02B500000001]), np.array([1, 2, 3]), np.array([-40, -40, -60]),
                   np.full(3, 2437), np.zeros(3, bool), np.full(3, interface))
    return Frames.concatenate([probe, extra])


def expected_tokens(macs):
    return hash_macs([":".join(f"{m:012x}"[i:i + 2] for i in range(0, 12, 2)) for m in macs], SECRET)


def assert_round_trip(result, written, resolution_s, sensor):
    probe = written.take(np.flatnonzero(written.kind == PROBE_REQUEST))
    order = np.argsort(probe.time, kind="stable")
    assert result.counts["FRAMES"] == len(written)
    assert result.counts["PROBES"] == len(probe)
    np.testing.assert_allclose(result.time, probe.time[order], rtol=0, atol=resolution_s)
    assert result.rss.tolist() == probe.rss[order].tolist()
    assert result.seq.tolist() == probe.seq[order].tolist()
    assert result.freq_mhz.tolist() == probe.freq_mhz[order].tolist()
    assert result.mac.tolist() == expected_tokens(probe.transmitter[order]).tolist()
    assert set(result.ap_id) == {sensor}


@pytest.mark.parametrize("nanoseconds", [False, True])
@pytest.mark.parametrize("byte_order", ["<", ">"])
def test_classic_pcap_in_both_resolutions_and_byte_orders(tmp_path, nanoseconds, byte_order):
    written = frames()
    path = tmp_path / "S07.dump"  # the extension does not matter
    write_pcap(path, written, nanoseconds=nanoseconds, byte_order=byte_order, fcs=nanoseconds)
    result = import_captures([path], secret=SECRET)
    assert_round_trip(result, written, 1e-9 if nanoseconds else 5e-7, "S07")


@pytest.mark.parametrize("tsresol, resolution_s", [(6, 5e-7), (9, 1e-9), (3, 5e-4), (0x80 | 20, 2.0 ** -21),
                                                   (0x80 | 10, 2.0 ** -11)])
@pytest.mark.parametrize("byte_order", ["<", ">"])
def test_pcapng_resolutions_byte_orders_and_two_present_words(tmp_path, tsresol, resolution_s, byte_order):
    written = frames()
    path = tmp_path / "S08.pcapng"
    write_pcapng(path, written, tsresol=tsresol, byte_order=byte_order, two_words=tsresol % 2 == 0)
    assert_round_trip(import_captures([path], secret=SECRET), written, resolution_s, "S08")


def test_pcapng_with_two_interfaces_and_two_sections(tmp_path):
    first, second = frames(seed=1), frames(seed=2, interface=1)
    both = Frames.concatenate([first, second])
    one, two = tmp_path / "a.pcapng", tmp_path / "b.pcapng"
    write_pcapng(one, both, interfaces=2)
    write_pcapng(two, frames(seed=3), tsresol=9, byte_order=">")
    joined = tmp_path / "S09.pcapng"  # two sections, as mergecap -a or cat of two files makes
    joined.write_bytes(one.read_bytes() + two.read_bytes())
    result = import_captures([joined], secret=SECRET)
    assert_round_trip(result, Frames.concatenate([both, frames(seed=3)]), 1e-6, "S09")


def test_interface_timestamp_offset_is_added(tmp_path):
    written = frames(others=False)
    path = tmp_path / "S10.pcapng"
    write_pcapng(path, written)
    data = bytearray(path.read_bytes())
    # rewrite the IDB (bytes 28..60) with if_tsoffset = 3600 s and if_tsresol = 6: 44 bytes, EPBs shift
    idb = struct.pack("<IIHHI", 1, 44, 127, 0, 0) + struct.pack("<HHB3x", 9, 1, 6) + struct.pack("<HHq", 14, 8, 3600)
    idb += struct.pack("<HHI", 0, 0, 44)
    data = data[:28] + idb + data[60:]
    path.write_bytes(bytes(data))
    result = import_captures([path], secret=SECRET)
    np.testing.assert_allclose(result.time, np.sort(written.time) + 3600, rtol=0, atol=1e-6)


def test_kismet_log_names_sensors_after_its_datasources_and_skips_other_radios(tmp_path):
    path = tmp_path / "server.kismet"
    write_kismet(path, {"north": frames(seed=4), "south": frames(seed=5)}, other_radio_rows=3)
    result = import_captures([path], secret=SECRET)
    assert result.counts["FRAMES"] == 2 * len(frames()) + 3
    assert result.counts["PROBES"] == 80 and result.counts["SENSORS"] == 2
    north = frames(seed=4)
    north = north.take(np.flatnonzero(north.kind == PROBE_REQUEST))
    assert sorted(result.rss[result.ap_id == "north"].tolist()) == sorted(north.rss.tolist())
    assert any("not 802.11 radiotap" in w for w in result.warnings)


def test_airodump_log_is_read_with_a_warning(tmp_path):
    path = tmp_path / "mon-01.log.csv"
    macs = ["3a:1b:c0:ff:ee:42", "3a:1b:c0:ff:ee:43", "3a:1b:c0:ff:ee:44"]
    write_airodump_log(path, ["2024-06-01 10:00:01", "2024-06-01 10:00:01", "2024-06-01 10:00:05"], macs,
                       [-71, -1, -66], ap_rows=2)
    result = import_captures([path], secret=SECRET)
    assert result.counts["FRAMES"] == 5 and result.counts["PROBES"] == 2 and result.counts["DROPPED_NO_RSS"] == 1
    assert result.ap_id.tolist() == ["mon-01", "mon-01"]
    assert result.rss.tolist() == [-71, -66] and result.seq.tolist() == [-1, -1]
    assert result.mac.tolist() == hash_macs([macs[0], macs[2]], SECRET).tolist()
    assert result.time_iso.tolist() == ["2024-06-01T10:00:01.000000Z", "2024-06-01T10:00:05.000000Z"]
    assert any("resolution of 1 s" in w for w in result.warnings)


def test_airodump_station_summary_is_refused(tmp_path):
    path = tmp_path / "mon-01.csv"
    path.write_text("\r\nBSSID, First time seen, Last time seen, channel, Speed, Privacy, Cipher, Authentication, "
                    "Power, # beacons, # IV, LAN IP, ID-length, ESSID, Key\r\n\r\n"
                    "Station MAC, First time seen, Last time seen, Power, # packets, BSSID, Probed ESSIDs\r\n")
    with pytest.raises(InputError, match="summary CSV.*one row per station"):
        import_captures([path], secret=SECRET)


def test_sensor_pattern_takes_its_group_from_the_file_name(tmp_path):
    path = tmp_path / "site_S12_2024-06-01.pcap"
    write_pcap(path, frames())
    result = import_captures([path], sensor_pattern=r"_(S\d+)_", secret=SECRET)
    assert set(result.ap_id) == {"S12"}
    with pytest.raises(InputError, match="does not find a sensor id"):
        import_captures([path], sensor_pattern=r"^(AP\d+)", secret=SECRET)
    with pytest.raises(InputError, match="exactly one"):
        import_captures([path], sensor_pattern=r"S\d+", secret=SECRET)
    assert sensor_id("S03.pcapng") == "S03" and sensor_id("mon-01.log.csv") == "mon-01"


def test_duplicates_from_a_second_radio_count_once(tmp_path):
    first = frames(others=False)
    copy = first.take(np.arange(10))
    copy.time = copy.time + 0.002
    copy.interface[:] = 1
    later = first.take(np.arange(10, 12))
    later.time = later.time + 0.5  # the same sequence number half a second later is another frame
    later.interface[:] = 1
    path = tmp_path / "S11.pcapng"
    write_pcapng(path, Frames.concatenate([first, copy, later]), interfaces=2)
    result = import_captures([path], secret=SECRET)
    assert result.counts["DROPPED_DUPLICATES"] == 10 and result.counts["PROBES"] == len(first) + 2


def test_frames_without_signal_or_with_positive_signal_are_dropped(tmp_path):
    written = frames(others=False)
    written.rss[:3] = NO_RSS
    written.rss[3] = 12
    path = tmp_path / "S13.pcap"
    write_pcap(path, written)
    result = import_captures([path], secret=SECRET)
    assert result.counts["DROPPED_NO_RSS"] == 4 and result.counts["PROBES"] == len(written) - 4
    assert result.rss.max() <= 0


def test_an_empty_secret_draws_a_random_key_and_says_so(tmp_path):
    path = tmp_path / "S14.pcap"
    write_pcap(path, frames())
    one, two = import_captures([path]), import_captures([path])
    assert set(one.mac).isdisjoint(set(two.mac))
    assert any("random key" in w for w in one.warnings)


def test_a_truncated_file_keeps_its_complete_packets(tmp_path):
    written = frames(others=False)
    for name, write in (("S15.pcap", write_pcap), ("S16.pcapng", write_pcapng)):
        path = tmp_path / name
        write(path, written)
        path.write_bytes(path.read_bytes()[:-30])
        result = import_captures([path], secret=SECRET)
        assert result.counts["PROBES"] == len(written) - 1
        assert any("ends inside a packet record" in w for w in result.warnings)


@pytest.mark.parametrize("content, message", [
    (b"", "empty"),
    (bytes(4096), "not a capture"),
    (gzip.compress(b"\xd4\xc3\xb2\xa1" + bytes(100)), "gzip"),
    (struct.pack("<IHHiIII", 0xA1B2C3D4, 2, 4, 0, 0, 65535, 127) + bytes(10), "no complete packet"),
])
def test_damaged_files_are_refused(tmp_path, content, message):
    path = tmp_path / "S20.pcap"
    path.write_bytes(content)
    with pytest.raises(InputError, match=message):
        import_captures([path], secret=SECRET)


def test_a_snap_length_cutting_the_radiotap_header_is_refused(tmp_path):
    path = tmp_path / "S21.pcap"
    write_pcap(path, frames(), snaplen=12)
    with pytest.raises(InputError, match="snap length cut every packet inside its radiotap header"):
        import_captures([path], secret=SECRET)


def test_plain_80211_without_radiotap_is_refused_with_what_to_capture(tmp_path):
    path = tmp_path / "airodump-01.cap"
    path.write_bytes(struct.pack("<IHHiIII", 0xA1B2C3D4, 2, 4, 0, 0, 65535, 105)
                     + struct.pack("<IIII", 1717236000, 0, 24, 24) + bytes(24))
    with pytest.raises(InputError, match="no signal strength.*radiotap.*tcpdump -i mon0"):
        import_captures([path], secret=SECRET)


@pytest.mark.parametrize("tables, message", [(KISMET_TABLES, "holds no packets"),
                                             (["CREATE TABLE t (x INT)"], "not a Kismet log")])
def test_an_empty_kismet_log_or_another_database_is_refused(tmp_path, tables, message):
    path = tmp_path / "sensors.kismet"
    connection = sqlite3.connect(path)
    for statement in tables:
        connection.execute(statement)
    connection.commit()
    connection.close()
    with pytest.raises(InputError, match=message):
        import_captures([path], secret=SECRET)


def test_a_capture_without_probe_requests_is_refused(tmp_path):
    path = tmp_path / "S22.pcap"
    written = frames()
    write_pcap(path, written.take(np.flatnonzero(written.kind != PROBE_REQUEST)))
    with pytest.raises(InputError, match="No probe request to import"):
        import_captures([path], secret=SECRET)


def test_a_sensor_whose_clock_was_never_set_is_named(tmp_path):
    written = frames(others=False)
    written.time = written.time - START + 3600.0  # a Raspberry Pi without NTP starts in 1970
    path = tmp_path / "S23.pcap"
    write_pcap(path, written)
    result = import_captures([path], secret=SECRET)
    assert any(w.startswith("S23:") and "clock was not set" in w for w in result.warnings)


def test_a_cancelled_import_stops(tmp_path):
    class Cancelling(Progress):
        def is_cancelled(self):
            return True
    path = tmp_path / "S24.pcap"
    write_pcap(path, frames())
    with pytest.raises(Cancelled):
        import_captures([path], secret=SECRET, progress=Cancelling())
