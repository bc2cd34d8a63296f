"""A simulated store for the presence tests: 7 local days in Europe/Paris (2024-03-27 .. 2024-04-02, summer time
starts on 2024-03-31, a 23-hour day), indoor APs of zone ``store`` inside, corridor APs outside, stable devices
whose every session is scripted, and randomised phones around them.

The truth of each device and day is known by construction because every threshold keeps a margin:

- within a session consecutive emissions are at most 8 min apart (SESSION_GAP 10 min); a device's sessions are
  at least 30 min apart;
- store APs hear a PR either at RSS >= -68 dBm (it counts for a visit) or at <= -72 dBm (it does not): none
  within 2 dB of VISITOR_RSS = -70; strong store PRs occur only inside a visit's scripted stay;
- the first and the last strong store PR of a stay are whole seconds exactly ``dwell`` apart; visit dwells are
  whole minutes at least 1 min from MIN_DWELL and from every bucket edge (5, 20, 60, 360); short visits last
  1 to 3 min (under MIN_DWELL = 5 by 2 min or more);
- a resident day's sessions total 13 h or more, any other day's 11 h or less (MAX_DWELL 12 h);
- a session starts at a whole minute of Paris wall-clock time on the local date it is planned for (starts near
  midnight, before and after the DST change, are deliberate);
- every stable device that is not a connected client has more than THRESHOLD = 3 PR rows, every randomised
  token 1 to 3 (some of them shaped like a visit, which must not count).
"""
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import numpy as np

from wifidensity.algorithms.core.records import AccessPoints, Probes

PARIS = ZoneInfo("Europe/Paris")
FIRST_DATE = date(2024, 3, 27)
DAYS = 7
THRESHOLD, MIN_DWELL_MIN, MAX_DWELL_H = 3, 5, 12
STORE = {"S1": (0.0, 0.0), "S2": (20.0, 0.0), "S3": (10.0, 15.0)}
CORRIDOR = {"C1": (-15.0, -10.0), "C2": (35.0, -10.0), "C3": (10.0, -20.0)}
BUCKETS = ((6, 19), (21, 59), (61, 359), (361, 600))  # dwell ranges (min) of the four buckets, margins kept
STRONG, WEAK, CORRIDOR_RSS = (-68, -40), (-90, -72), (-88, -45)
STEP_S = (20, 480)
BREAK_S = (30 * 60, 90 * 60)


@dataclass
class PlannedSession:
    """One scripted session: its local start date, kind ('pass', 'short' or 'visit'), visit dwell (s) and span."""

    day: date
    kind: str
    dwell_s: float
    span_s: float


@dataclass
class PlannedDevice:
    token: str
    connected: bool
    sessions: list = field(default_factory=list)


@dataclass
class SimulatedStore:
    probes: Probes
    aps: AccessPoints
    ap_zones: list
    connections: np.ndarray
    devices: list          # PlannedDevice of every stable device
    random_tokens: list    # the randomised phones' tokens


def local_start(day, hour, minute):
    """UTC seconds of a Paris wall-clock time (a whole minute, so whole seconds)."""
    return datetime(day.year, day.month, day.day, hour, minute, tzinfo=PARIS).timestamp()


def local_date(seconds):
    return datetime.fromtimestamp(seconds, PARIS).date()


class _Builder:
    def __init__(self, seed):
        self.rng = np.random.default_rng(seed)
        self.rows = []      # (time, ap, token, rss)
        self.devices = {}   # token -> PlannedDevice
        self.tokens = set()

    def token(self):
        while True:
            token = f"{int(self.rng.integers(0, 2 ** 62)):016x}"
            if token not in self.tokens:
                self.tokens.add(token)
                return token

    def device(self, connected=False):
        token = self.token()
        self.devices[token] = PlannedDevice(token, connected)
        return token

    def _emit(self, token, t, aps_rss):
        """One emission: PRs at distinct APs 50 ms apart, the first at ``t``."""
        for j, (ap, rss) in enumerate(aps_rss):
            self.rows.append((t + 0.05 * j, ap, token, float(rss)))

    def _corridor_emission(self, token, t, last=False):
        rng = self.rng
        heard = [(str(ap), int(rng.integers(*CORRIDOR_RSS))) for ap in
                 rng.choice(list(CORRIDOR), size=1 if last else int(rng.integers(1, 3)), replace=False)]
        if not last and rng.random() < 0.5:
            heard.append((str(rng.choice(list(STORE))), int(rng.integers(WEAK[0], WEAK[1] + 1))))
        self._emit(token, t, heard)

    def _store_emission(self, token, t, last):
        """A strong store PR first; after it (50 ms later and on) strong ones only when ``t`` is not the stay's
        last emission, so no strong PR ever falls after the stay's end."""
        rng = self.rng
        aps = [str(a) for a in rng.choice(list(STORE), size=int(rng.integers(1, 4)), replace=False)]
        heard = [(aps[0], int(rng.integers(STRONG[0], STRONG[1] + 1)))]
        for ap in aps[1:]:
            rss = WEAK if last or rng.random() < 0.3 else STRONG
            heard.append((ap, int(rng.integers(rss[0], rss[1] + 1))))
        if rng.random() < 0.3:
            heard.append((str(rng.choice(list(CORRIDOR))), int(rng.integers(*CORRIDOR_RSS))))
        self._emit(token, t, heard)

    def _times(self, begin, end, step=STEP_S):
        """Emission times from ``begin`` up to and including ``end``, at most ``step[1]`` apart (whole seconds)."""
        times = [begin]
        while times[-1] + step[1] < end:
            times.append(times[-1] + int(self.rng.integers(*step)))
        if times[-1] != end:
            times.append(end)
        return times

    def session(self, token, start, kind, dwell_min=0, lead_min=None, tail_min=None):
        """A session from UTC second ``start``: corridor lead-in, a stay of ``dwell_min`` strong store PRs
        ('visit', 'short'; none for 'pass'), corridor tail. Returns the time of its last PR."""
        rng = self.rng
        lead = 60 * (int(rng.integers(1, 6)) if lead_min is None else lead_min)
        tail = 60 * (int(rng.integers(1, 6)) if tail_min is None else tail_min)
        if kind == "pass":  # 4 min or more, an emission a minute at least: more than THRESHOLD rows
            times = self._times(start, start + lead + tail + 120, step=(20, 60))
            for i, t in enumerate(times):
                self._corridor_emission(token, t, last=i == len(times) - 1)
            end, dwell = times[-1], 0.0
        else:
            stay_begin, stay_end = start + lead, start + lead + 60 * dwell_min
            for t in self._times(start, stay_begin)[:-1]:
                self._corridor_emission(token, t)
            stay = self._times(stay_begin, stay_end)
            for i, t in enumerate(stay):
                self._store_emission(token, t, last=i == len(stay) - 1)
            tail_times = self._times(stay_end, stay_end + tail)[1:]
            for i, t in enumerate(tail_times):
                self._corridor_emission(token, t, last=i == len(tail_times) - 1)
            end, dwell = (tail_times[-1] if tail_times else stay_end), 60.0 * dwell_min
        day = local_date(start)
        self.devices[token].sessions.append(PlannedSession(day, kind, dwell, end - start))
        return end

    def day_of(self, token, day, kinds, hour=None, minute=None):
        """Sessions of ``kinds`` ((kind, dwell_min) pairs) one after the other on local ``day``."""
        rng = self.rng
        start = local_start(day, int(rng.integers(8, 11)) if hour is None else hour,
                            int(rng.integers(0, 60)) if minute is None else minute)
        for kind, dwell in kinds:
            assert local_date(start) == day, "a planned session would start on another local day"
            start = self.session(token, start, kind, dwell) + int(rng.integers(*BREAK_S))

    def dwell(self, bucket):
        low, high = BUCKETS[bucket]
        return int(self.rng.integers(low, high + 1))

    def random_phones(self, day, count):
        """Randomised tokens of 1..3 PRs at random times and APs, a third of them shaped like a 6-min visit."""
        rng, tokens = self.rng, []
        for i in range(count):
            token = self.token()
            tokens.append(token)
            t = local_start(day, int(rng.integers(8, 22)), int(rng.integers(0, 60))) + float(rng.integers(0, 60))
            if i % 3 == 0:
                for offset in (0.0, 180.0, 360.0):
                    self._emit(token, t + offset, [(str(rng.choice(list(STORE))), -45.0)])
            else:
                aps = list(STORE) + list(CORRIDOR)
                heard = [(str(a), int(rng.integers(-90, -40)))
                         for a in rng.choice(aps, size=int(rng.integers(1, 4)), replace=False)]
                self._emit(token, t, heard)
        return tokens


def simulate_store(seed=7, random_per_day=300):
    """The simulated store (see the module docstring)."""
    b = _Builder(seed)
    days = [FIRST_DATE + timedelta(days=i) for i in range(DAYS)]
    loyal = {b.device(): set(range(DAYS)) - {i % DAYS} for i in range(6)}             # 6 days with a visit
    loyal.update({b.device(): {i % DAYS, (i + 2) % DAYS, (i + 3) % DAYS} for i in range(5)})  # 3 days
    loyal.update({b.device(): {i, i + 1} for i in range(5)})                             # 2 days
    for token, visit_days in loyal.items():
        for i in sorted(visit_days):
            b.day_of(token, days[i], [("visit", b.dwell(int(b.rng.integers(0, 4))))])
        for i in sorted(set(range(DAYS)) - visit_days)[:1]:
            b.day_of(token, days[i], [("pass", 0)])
    staff_visitor, part_timer = b.device(), b.device()
    b.day_of(staff_visitor, days[0], [("visit", 400), ("visit", 420)], hour=7)           # resident on day 0,
    for i in range(1, 6):                                                                # visitor on 5 days
        b.day_of(staff_visitor, days[i], [("visit", b.dwell(1))])
    for i in range(4):                                                                   # 4 visit days and
        b.day_of(part_timer, days[i], [("visit", b.dwell(0))])                         # one resident day
    b.day_of(part_timer, days[5], [("visit", 395), ("pass", 0), ("visit", 400)], hour=7)

    for i, day in enumerate(days):
        for j in range(6 + i):
            kinds = [("pass", 0)] + ([("pass", 0)] if j % 3 == 0 else []) + \
                ([("short", 1 + j % 3)] if j % 4 == 1 else [])
            b.day_of(b.device(), day, kinds)
        for bucket, count in enumerate((5 + i % 3, 4 + i % 2, 3 + i % 4, 1 + i % 3)):
            for _ in range(count):
                b.day_of(b.device(), day, [("visit", b.dwell(bucket))])
        for j in range(1 + i % 3):                                                       # re-entries
            b.day_of(b.device(), day,
                     [("visit", b.dwell(0)), ("visit", b.dwell(1))] + ([("visit", 8)] if j == 1 else []))
        b.day_of(b.device(), day, [("short", 3), ("visit", b.dwell(1)), ("pass", 0)])
        b.day_of(b.device(), day, [("visit", 300), ("visit", 340)], hour=7)              # 11 h, not resident
        for _ in range(1 + i % 4):                                                       # residents
            b.day_of(b.device(), day, [("visit", 400 + int(b.rng.integers(0, 30))), ("visit", 390)], hour=7)

    b.day_of(b.device(), days[3], [("visit", 30)], hour=23, minute=40)   # into the DST day: belongs to 03-30
    b.day_of(b.device(), days[4], [("visit", 25)], hour=0, minute=30)    # 00:30 CET, before the change
    b.day_of(b.device(), days[4], [("visit", 45)], hour=3, minute=10)    # 03:10 CEST, after it
    b.day_of(b.device(), days[4], [("visit", 25)], hour=23, minute=50)   # 21:50 UTC, into 04-01
    b.day_of(b.device(), days[5], [("visit", 12)], hour=0, minute=30)    # 22:30 UTC of 03-31

    four = b.device()                                                    # exactly THRESHOLD + 1 rows
    t = local_start(days[2], 15, 0)
    for k in range(4):
        b._emit(four, t + 60 * k, [("C1", -60)])
    b.devices[four].sessions.append(PlannedSession(days[2], "pass", 0.0, 180.0))
    three = b.token()                                                    # THRESHOLD rows: never followed
    for offset in (0, 360, 420):
        b._emit(three, local_start(days[2], 16, 0) + offset, [("S1", -45)])

    visit_in_three = b.device(connected=True)                            # connected: stable with 3 rows
    t = local_start(days[2], 11, 0)
    b._emit(visit_in_three, t, [("C2", -60)])
    b._emit(visit_in_three, t + 60, [("S2", -50)])
    b._emit(visit_in_three, t + 60 + 7 * 60, [("S3", -55)])
    b.devices[visit_in_three].sessions.append(PlannedSession(days[2], "visit", 420.0, 480.0))
    pass_in_two = b.device(connected=True)
    t = local_start(days[2], 12, 0)
    b._emit(pass_in_two, t, [("C2", -60), ("S1", -80)])
    b.devices[pass_in_two].sessions.append(PlannedSession(days[2], "pass", 0.0, 0.05))
    one_row = b.device(connected=True)
    b._emit(one_row, local_start(days[6], 18, 0), [("C3", -75)])
    b.devices[one_row].sessions.append(PlannedSession(days[6], "pass", 0.0, 0.0))
    for token in list(b.devices)[-30:-25]:                               # some ordinary visitors are connected
        b.devices[token].connected = True

    random_tokens = [three]
    for day in days:
        random_tokens += b.random_phones(day, random_per_day)

    rows = [b.rows[i] for i in b.rng.permutation(len(b.rows))]           # the tool must not rely on row order
    time, ap, mac, rss = (np.array(c, dtype=object) for c in zip(*rows))
    probes = Probes(time.astype(np.float64), ap, mac, rss.astype(np.float64))
    aps, ap_zones = site()
    connected = [d.token for d in b.devices.values() if d.connected] + [b.token(), b.token()]
    devices = list(b.devices.values())
    _check_construction(probes, devices, random_tokens)
    return SimulatedStore(probes, aps, ap_zones, np.array(connected, dtype=object), devices, random_tokens)


def _check_construction(probes, devices, random_tokens):
    """The margins the module docstring promises (a failure here is a simulator bug, not a tool bug)."""
    rows = defaultdict(int)
    for token in probes.mac:
        rows[token] += 1
    for device in devices:
        assert device.connected or rows[device.token] > THRESHOLD
    assert all(1 <= rows[token] <= THRESHOLD for token in random_tokens)
    stable_store = np.isin(probes.ap_id.astype(str), list(STORE)) & \
        np.isin(probes.mac.astype(str), [d.token for d in devices])
    assert not np.any(stable_store & (probes.rss > -72) & (probes.rss < -68))


def truth_days(sim):
    """The day table's true values before suppression, from the script: {date: {field: value}}.

    ``_visit_dwells`` (minutes of the day's non-resident visits) and ``_visits`` are kept for the
    suppression tests; stable_share counts rows by their Paris date.
    """
    per_day = {FIRST_DATE + timedelta(days=i): defaultdict(int) for i in range(DAYS)}
    for day in per_day.values():
        day["_visit_dwells"] = []
    visit_days = {}
    for device in sim.devices:
        by_day = defaultdict(list)
        for session in device.sessions:
            by_day[session.day].append(session)
        for day, sessions in by_day.items():
            cell = per_day[day]
            cell["devices_stable"] += 1
            visits = [s.dwell_s / 60 for s in sessions if s.kind == "visit"]
            if sum(s.span_s for s in sessions) > MAX_DWELL_H * 3600:
                cell["residents"] += 1
                continue
            if visits:
                cell["visitors"] += 1
                cell["reentries"] += len(visits) - 1
                cell["_visit_dwells"] += visits
                visit_days[device.token] = visit_days.get(device.token, 0) + 1
            else:
                cell["passersby"] += 1
    stable = {d.token for d in sim.devices}
    all_rows, stable_rows = defaultdict(int), defaultdict(int)
    for t, token in zip(sim.probes.time, sim.probes.mac):
        day = local_date(t)
        all_rows[day] += 1
        stable_rows[day] += token in stable
    for day, cell in per_day.items():
        dwells = cell["_visit_dwells"]
        for field_name, (low, high) in zip(("dwell_5_20", "dwell_20_60", "dwell_60_360", "dwell_360_plus"),
                                           ((5, 20), (20, 60), (60, 360), (360, np.inf))):
            cell[field_name] = sum(low <= d < high for d in dwells)
        cell["_visits"] = len(dwells)
        cell["median_dwell_min"] = float(np.median(dwells)) if dwells else None
        seen = cell["visitors"] + cell["passersby"]
        cell["capture_rate"] = cell["visitors"] / seen if seen else None
        cell["stable_share"] = stable_rows[day] / all_rows[day]
        for name in ("visit_days_1", "visit_days_2_4", "visit_days_5_plus"):
            cell[name] = None
    last = per_day[FIRST_DATE + timedelta(days=DAYS - 1)]
    counts = list(visit_days.values())
    last["visit_days_1"] = sum(c == 1 for c in counts)
    last["visit_days_2_4"] = sum(2 <= c <= 4 for c in counts)
    last["visit_days_5_plus"] = sum(c >= 5 for c in counts)
    return per_day


def site():
    """The store's APs and their zones, for hand-made cases."""
    ids = list(STORE) + list(CORRIDOR)
    aps = AccessPoints(np.array(ids, dtype=object), np.array([(STORE | CORRIDOR)[a] for a in ids]),
                       np.zeros(len(ids), dtype=bool))
    return aps, ["store"] * len(STORE) + ["corridor"] * len(CORRIDOR)


def utc(text):
    """UTC seconds of ISO 8601 text; text without a zone is UTC."""
    stamp = datetime.fromisoformat(text)
    return (stamp if stamp.tzinfo else stamp.replace(tzinfo=UTC)).timestamp()


def hand_probes(rows):
    """Probes from (time, ap, token, rss) tuples, times as ISO text or UTC seconds."""
    time, ap, mac, rss = zip(*rows)
    seconds = np.array([utc(t) if isinstance(t, str) else float(t) for t in time])
    return Probes(seconds, np.array(ap, dtype=object), np.array(mac, dtype=object), np.array(rss, dtype=np.float64))
