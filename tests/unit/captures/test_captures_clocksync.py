"""Clock offsets from shared frames, on synthetic stamps: sequence numbers that wrap at 4096, false matches,
sensors chained through others, a sensor that shares nothing."""
import numpy as np

from wifidensity.algorithms.captures.clocksync import MAX_OFFSET_S, clock_offsets

NS = 1_000_000_000


def heard(times, mac, seq, offsets, rng, jitter_s=0.0005, reception=1.0):
    """(sensor, mac, seq, time_ns) of frames sent at ``times`` and heard by every sensor whose clock is off by
    ``offsets[s]`` seconds, each stamp a little late (propagation and interrupt latency, under a millisecond)."""
    parts = []
    for sensor, offset in enumerate(offsets):
        got = rng.random(len(times)) < reception
        stamp = times[got] + offset + rng.uniform(0, jitter_s, got.sum())
        parts.append((np.full(got.sum(), sensor), mac[got], seq[got], np.round(stamp * NS).astype(np.int64)))
    return [np.concatenate(column) for column in zip(*parts)]


def test_offsets_with_wrapping_sequence_numbers_of_a_chatty_device():
    rng = np.random.default_rng(1)
    offsets = [0.0, -2.5, 3.0]
    # one fixed-MAC device sending 20 frames a second: its sequence numbers wrap every 205 s, so equal numbers
    # recur further apart than any clock offset; and randomised phones, one frame each
    chatty = np.arange(0, 3 * 3600, 0.05)
    phones = rng.uniform(0, 3 * 3600, 3000)
    times = np.concatenate([chatty, phones]) + 1717236000
    mac = np.concatenate([np.full(len(chatty), 0x02AB00000001), rng.integers(0, 1 << 46, len(phones))])
    seq = np.concatenate([np.arange(len(chatty)) % 4096, rng.integers(0, 4096, len(phones))])
    sensor, address, number, stamp = heard(times, mac, seq, offsets, rng, reception=0.7)
    found = clock_offsets(sensor, address, number, stamp, 3)
    assert found.reference in (0, 1, 2)
    relative = np.array(offsets) - offsets[found.reference]
    np.testing.assert_allclose(found.offset_ns / NS, relative, atol=0.001)
    assert found.matched.min() > 0.5 * len(times) * 0.7


def test_a_device_faster_than_the_wrap_window_gives_no_false_offset():
    rng = np.random.default_rng(2)
    offsets = [0.0, 1.5]
    # 200 frames a second: one sequence number recurs every 20 s, inside the first pass's match window; such
    # matches are ambiguous (one sensor twice) and set aside there, the phones give the offset
    fast = np.arange(0, 600, 0.005)
    phones = rng.uniform(0, 600, 500)
    times = np.concatenate([fast, phones]) + 1717236000
    mac = np.concatenate([np.full(len(fast), 0x02AB00000002), rng.integers(0, 1 << 46, len(phones))])
    seq = np.concatenate([np.arange(len(fast)) % 4096, rng.integers(0, 4096, len(phones))])
    assert 2 * MAX_OFFSET_S > 4096 * 0.005
    found = clock_offsets(*heard(times, mac, seq, offsets, rng), 2)
    np.testing.assert_allclose(found.offset_ns / NS, np.array(offsets) - offsets[found.reference], atol=0.001)
    # the refining pass, on corrected stamps and a 50 ms window, tells every recurrence apart
    assert found.matched.min() >= len(fast)


def test_sensors_out_of_each_others_range_are_chained_through_a_middle_one():
    rng = np.random.default_rng(3)
    offsets = [0.7, -1.0, 2.2]
    west = rng.uniform(0, 3600, 400)  # heard by sensors 0 and 1
    east = rng.uniform(0, 3600, 400)  # heard by sensors 1 and 2
    parts = []
    for times, pair in ((west, (0, 1)), (east, (1, 2))):
        mac = rng.integers(0, 1 << 46, len(times))
        seq = rng.integers(0, 4096, len(times))
        s, m, q, t = heard(times, mac, seq, [offsets[k] for k in pair], rng)
        parts.append((np.array(pair)[s], m, q, t))
    sensor, mac, seq, stamp = (np.concatenate(c) for c in zip(*parts))
    found = clock_offsets(sensor, mac, seq, stamp, 3)
    assert found.reference == 1  # it shares frames with both
    np.testing.assert_allclose(found.offset_ns / NS, np.array(offsets) - offsets[1], atol=0.001)


def test_a_sensor_sharing_no_frame_has_no_offset():
    rng = np.random.default_rng(4)
    times = rng.uniform(0, 3600, 300)
    mac, seq = rng.integers(0, 1 << 46, 300), rng.integers(0, 4096, 300)
    sensor, address, number, stamp = heard(times, mac, seq, [0.0, 0.4], rng)
    alone = np.full(50, 2), rng.integers(0, 1 << 46, 50), rng.integers(0, 4096, 50), stamp[:50]
    found = clock_offsets(np.r_[sensor, alone[0]], np.r_[address, alone[1]], np.r_[number, alone[2]],
                          np.r_[stamp, alone[3]], 3)
    assert np.isnan(found.offset_ns[2]) and found.matched[2] == 0
    assert np.isfinite(found.offset_ns[:2]).all()
