"""A site simulator with ground truth: APs, crowds of MAC-randomising clients, IoT devices, connected clients.

Used for the sample site, the tests of every tool and the ``wifidensity:simulate`` algorithm.

Model (the paper's assumptions, §3): every client emits bursts of Probe Requests ("emissions") at random
times of the window. A randomising client draws a fresh MAC for every emission; IoT devices and connected
clients keep one MAC. Each AP hears each emission independently with ``reception`` probability if the
log-distance RSS (paper §4.1, ``pathloss.rss_at``) plus Gaussian noise of ``sigma_rss`` dB, rounded to an
integer dBm as sniffers report it, is at least the receiver ``floor``. A wall between an indoor AP and an
outdoor client (or an indoor client and an outdoor AP) costs ``wall_loss`` dB; ``gains`` adds a fixed offset per
AP (a sensor's antenna and mounting, paper/pathloss.py's per-sensor gain). The PRs of one emission arrive
within ``burst`` seconds. An emission that no AP hears leaves no trace.

``SiteConfig.devices`` (a devices.DeviceConfig, or True for its defaults) makes the clients realistic phones
instead (devices.py): models with their IE signatures, MAC and sequence-counter policies and scan rates;
every emission is then a scan burst of 2-5 frames, every PR row one frame (an AP can log several frames of one
burst), and passers-by can walk past the site. The probes then carry ``seq``, ``fingerprint``,
``true_device`` and ``true_model`` too, and the truth counts devices, bursts and frames (``device_counts``).
With ``devices`` unset the simulation is the plain one above, draw for draw.

Usage::

    site = simulate(SiteConfig(ap_xy=[(0, 0), (100, 0), (50, 80)], crowds=[(50, 30, 15, 40)], seed=1))
    site.probes          # records.Probes; extra: true_x, true_y, true_emission, true_client, true_kind
    site.aps             # records.AccessPoints
    site.connections     # MACs of the connected clients (the connections table)
    site.connection_ap   # the AP each of them is connected to (the nearest)
    site.truth.counts    # {'clients': .., 'P': .., 'P1': .., 'P2': .., 'P3': .., 'P4plus': .., ...}
"""
from dataclasses import dataclass, field, replace

import numpy as np

from ..core.errors import InputError
from ..core.records import AccessPoints, Probes
from ..paper.pathloss import rss_at
from .devices import (
    FIXED_MODEL,
    RESTART,
    SEQ_MODULO,
    DeviceConfig,
    burst_frames,
    draw_models,
    mac_groups,
    passer_paths,
    scan_times,
    sequence_starts,
    spaced,
)

OUTDOOR, INDOOR, IOT, CONNECTED = "outdoor", "indoor", "iot", "connected"
PASSER_BY = "passer_by"  # realistic devices only: a phone walking past the site
RANDOMISING = (OUTDOOR, INDOOR)
DEFAULT_START = 1717236000.0  # 2024-06-01 10:00:00 UTC


@dataclass
class SiteConfig:
    """Everything that defines a simulated site; positions in metres of ``crs``.

    ap_xy: AP positions [(x, y), ...]; ap_ids: their ids (default AP1, AP2, ...); indoor: indoor flags;
    gains: dB added to every RSS each AP reports (default 0); reception: probability that an AP reports an
    emission it could hear, one for all or one per AP.
    crowds: [(centre_x, centre_y, spread_m, clients), ...], clients drawn from a 2-D Gaussian of sd spread_m.
    client_xy: further outdoor clients at explicit positions.
    emissions_per_client: mean emissions of a randomising client in the window (Poisson).
    indoor_clients / indoor_spread: a crowd around the first indoor AP (indoor clients, randomising MACs).
    iot_devices / iot_emissions: fixed-MAC devices placed uniformly over the AP bounding box (class CF).
    connected_clients / connected_emissions: fixed-MAC clients taken from the crowds' distribution, listed in
    the connections table (class CC).
    burst: the PRs of one emission reach the APs within this many seconds; 0 puts them at one instant, one
    frame heard by every AP in range, as the capture rehearsal (captures.rehearsal) writes them.
    devices: None (or False) for the plain model; a devices.DeviceConfig (True: its defaults) for realistic
    phones, whose scan rates then replace emissions_per_client and burst.
    """

    ap_xy: list
    ap_ids: list = None
    indoor: list = None
    gains: list = None
    crowds: list = field(default_factory=list)
    client_xy: list = None
    emissions_per_client: float = 20.0
    window_hours: float = 3.0
    start: float = DEFAULT_START
    a: float = -38.0
    n: float = 2.6
    sigma_rss: float = 3.0
    floor: float = -90.0
    reception: float = 0.9
    burst: float = 0.3
    wall_loss: float = 15.0
    indoor_clients: int = 0
    indoor_spread: float = 5.0
    iot_devices: int = 0
    iot_emissions: int = 200
    connected_clients: int = 0
    connected_emissions: int = 30
    crs: str = ""
    seed: int = 0
    devices: object = None


@dataclass
class Truth:
    """Ground truth of a simulated site.

    client_xy: (clients x 2) positions; kind: 'outdoor' | 'indoor' | 'iot' | 'connected' per client;
    client_mac: the fixed MAC of IoT/connected clients ('' for randomising ones); emissions: emissions each
    client made (heard or not); counts: see ``true_counts``. With realistic devices: kind may be 'passer_by'
    (client_xy is then the middle of its path), emissions are bursts, model: each device's model name,
    frames: the frames each device sent (heard or not); counts add ``device_counts``.
    """

    client_xy: np.ndarray
    kind: np.ndarray
    client_mac: np.ndarray
    emissions: np.ndarray
    counts: dict
    model: np.ndarray = None
    frames: np.ndarray = None


@dataclass
class SimulatedSite:
    """probes: the PRs heard (extra columns true_x, true_y, true_emission, true_client, true_kind);
    aps: the access points; connections / connection_ap: the connections table (MAC, AP); truth: Truth."""

    probes: Probes
    aps: AccessPoints
    connections: np.ndarray
    connection_ap: np.ndarray
    truth: Truth

    def emission_xy(self):
        """True position of every heard emission, indexed by its ``true_emission`` id (other rows 0)."""
        extra = self.probes.extra
        xy = np.zeros((int(extra["true_emission"].max()) + 1, 2))
        xy[extra["true_emission"]] = np.column_stack([extra["true_x"], extra["true_y"]])
        return xy


def simulate(config):
    """Simulate one window of ``config``; returns a SimulatedSite (PRs sorted by time)."""
    if config.devices is not None and config.devices is not False:
        return _simulate_devices(config)
    rng = np.random.default_rng(config.seed)
    aps = _access_points(config)
    client_xy, kind = _place_clients(config, aps, rng)
    per_client = _emission_counts(config, kind, rng)
    client_of_emission = np.repeat(np.arange(len(kind)), per_client)

    macs = random_macs(len(kind) + len(client_of_emission), rng)
    client_mac = np.where(np.isin(kind, RANDOMISING), "", macs[:len(kind)]).astype(object)
    emission_mac = np.where(np.isin(kind[client_of_emission], RANDOMISING),
                            macs[len(kind):], client_mac[client_of_emission]).astype(object)

    end = config.start + config.window_hours * 3600.0
    emission_time = rng.uniform(config.start, end - config.burst, len(client_of_emission))
    rss, heard = _receive(config, aps, client_xy[client_of_emission], kind[client_of_emission] == INDOOR, rng)
    emission, ap = np.nonzero(heard)
    client = client_of_emission[emission]
    time = emission_time[emission] + rng.uniform(0.0, config.burst, len(emission))
    order = np.argsort(time, kind="stable")
    probes = Probes(time[order], aps.ids[ap[order]].astype(object), emission_mac[emission[order]],
                    rss[emission, ap][order],
                    {"true_x": client_xy[client[order], 0], "true_y": client_xy[client[order], 1],
                     "true_emission": emission[order], "true_client": client[order],
                     "true_kind": kind[client[order]].astype(object)})
    connected = kind == CONNECTED
    nearest = np.argmin(np.hypot(*(client_xy[connected, None, :] - aps.xy[None, :, :]).transpose(2, 0, 1)), axis=1)
    truth = Truth(client_xy, kind.astype(object), client_mac, per_client, true_counts(probes, kind, config))
    return SimulatedSite(probes, aps, client_mac[connected], aps.ids[nearest], truth)


def _simulate_devices(config):
    """simulate() with realistic phones (devices.py): bursts of frames, models, MAC and sequence policies."""
    settings = config.devices if isinstance(config.devices, DeviceConfig) else DeviceConfig()
    rng = np.random.default_rng(config.seed)
    aps = _access_points(config)
    client_xy, kind = _place_clients(config, aps, rng)
    window = (config.start, config.start + config.window_hours * 3600.0)
    path_xy, velocity, passing = passer_paths(settings.passers_by, aps.xy.min(axis=0), aps.xy.max(axis=0),
                                              settings, window, rng)
    kind = np.r_[kind, np.full(settings.passers_by, PASSER_BY)].astype("U9")
    models = tuple(settings.models) + (FIXED_MODEL,)
    phone = np.isin(kind, RANDOMISING + (PASSER_BY,))
    model = np.full(len(kind), len(models) - 1)
    model[phone] = draw_models(int(phone.sum()), settings.models, rng)
    present = np.tile(window, (len(kind), 1))
    present[len(client_xy):] = passing
    xy = np.vstack([client_xy, path_xy + velocity * (0.5 * (passing[:, 1:] - passing[:, :1]))])  # mid-path
    device, burst_time = _burst_times(config, settings, kind, model, models, present, rng)
    burst_time, device = burst_time[burst_time < window[1] - 0.1], device[burst_time < window[1] - 0.1]

    client_mac, burst_mac, frames, burst, offset, seq = _macs_and_frames(phone, model, models, device,
                                                                         burst_time, window[0], rng)
    frame_device, frame_time = device[burst], burst_time[burst] + offset
    walking = kind[frame_device] == PASSER_BY
    frame_xy = xy[frame_device]
    moved = frame_device[walking] - len(client_xy)
    frame_xy[walking] = path_xy[moved] + velocity[moved] * (frame_time[walking] - passing[moved, 0])[:, None]
    rss, heard = _receive(config, aps, frame_xy, kind[frame_device] == INDOOR, rng)
    frame, ap = np.nonzero(heard)
    order = np.argsort(frame_time[frame], kind="stable")
    frame, ap = frame[order], ap[order]
    who = frame_device[frame]
    names = np.array([m.name for m in models], dtype=object)
    signatures = np.array([m.signature for m in models], dtype=object)
    probes = Probes(frame_time[frame], aps.ids[ap].astype(object), burst_mac[burst[frame]],
                    rss[frame, ap],
                    {"true_x": frame_xy[frame, 0], "true_y": frame_xy[frame, 1], "true_emission": burst[frame],
                     "true_client": who, "true_kind": kind[who].astype(object), "seq": seq[frame],
                     "fingerprint": signatures[model[who]], "true_device": who, "true_model": names[model[who]]})
    bursts = np.bincount(device, minlength=len(kind))
    sent = np.bincount(device, weights=frames, minlength=len(kind)).astype(np.int64)
    connected = kind == CONNECTED
    nearest = np.argmin(np.hypot(*(xy[connected, None, :] - aps.xy[None, :, :]).transpose(2, 0, 1)), axis=1)
    counts = {**true_counts(probes, kind, config), **device_counts(probes, kind, bursts, sent, names[model])}
    truth = Truth(xy, kind.astype(object), client_mac, bursts, counts, names[model], sent)
    return SimulatedSite(probes, aps, client_mac[connected], aps.ids[nearest], truth)


def _macs_and_frames(phone, model, models, device, burst_time, start, rng):
    """MACs and frames of the bursts (sorted by device then time): (fixed MAC per device, '' for phones; MAC
    per burst; frames per burst; burst per frame; each frame's offset in its burst (s); sequence number per
    frame), following each model's MAC and sequence-counter policies."""
    policy = np.array([m.mac_policy for m in models])[model[device]]
    minutes = np.array([m.mac_minutes for m in models])[model]
    phase = start - 60.0 * minutes * rng.random(len(model))  # each device's last MAC change before the window
    group, new_mac = mac_groups(device, burst_time, policy, minutes[device], phase[device])
    fixed = int((~phone).sum())
    macs = random_macs(int(group.max(initial=-1)) + 1 + fixed, rng).astype(object)
    client_mac = np.full(len(model), "", dtype=object)
    client_mac[~phone] = macs[len(macs) - fixed:]
    burst_mac = np.where(phone[device], macs[group], client_mac[device])
    frames, burst, offset = burst_frames(model[device], models, rng)
    restart = np.array([m.seq_policy == RESTART for m in models])[model[device]]
    seq_step = np.array([m.seq_step for m in models])[model[device]]
    rank = np.arange(len(burst)) - np.repeat(np.cumsum(frames) - frames, frames)
    seq = (sequence_starts(device, frames, new_mac, restart, seq_step, rng)[burst] + rank) % SEQ_MODULO
    return client_mac, burst_mac, frames, burst, offset, seq


def _burst_times(config, settings, kind, model, models, present, rng):
    """(device, time) of every burst, sorted by device then time: phones scan at their models' rates while
    present, IoT and connected clients emit iot_emissions / connected_emissions times at random."""
    phone = np.flatnonzero(np.isin(kind, RANDOMISING + (PASSER_BY,)))
    scan_s = np.array([m.scan_s for m in models])[model[phone]]
    which, time = scan_times(scan_s, present[phone], settings, rng)
    fixed = {IOT: config.iot_emissions, CONNECTED: config.connected_emissions}
    others = np.repeat(np.arange(len(kind)), [fixed.get(k, 0) for k in kind])
    device = np.r_[phone[which], others].astype(np.int64)
    time = np.r_[time, rng.uniform(present[others, 0], present[others, 1])]
    order = np.lexsort((time, device))
    keep = spaced(device[order], time[order])
    return device[order][keep], time[order][keep]


def device_counts(probes, kind, bursts, frames, model):
    """The truth of realistic devices: DEVICES (in the area: every kind but passers-by), PASSERS_BY, PHONES
    (randomising phones in the area), their BURSTS and FRAMES sent and per phone (BURSTS_PER_PHONE,
    FRAMES_PER_PHONE: the true X of frames sent), HEARD_PER_PHONE (their PR rows logged per phone), MACS (the
    distinct MACs the phones in the area were heard with) and MODELS (devices per model, passers-by included)."""
    phones = np.isin(kind, RANDOMISING)
    heard = np.isin(probes.extra["true_kind"].astype(str), RANDOMISING)
    n_phones = int(phones.sum())
    names, per_model = np.unique(np.asarray(model, dtype=str), return_counts=True)
    return {"DEVICES": int((kind != PASSER_BY).sum()), "PASSERS_BY": int((kind == PASSER_BY).sum()),
            "PHONES": n_phones, "BURSTS": int(bursts[phones].sum()), "FRAMES": int(frames[phones].sum()),
            "BURSTS_PER_PHONE": float(bursts[phones].sum()) / max(n_phones, 1),
            "FRAMES_PER_PHONE": float(frames[phones].sum()) / max(n_phones, 1),
            "HEARD_PER_PHONE": float(heard.sum()) / max(n_phones, 1),
            "MACS": len(np.unique(probes.mac[heard].astype(str))),
            "MODELS": {str(n): int(c) for n, c in zip(names, per_model)}}


def season_configs(config, windows, busiest_hour=15.0, seed=0):
    """One SiteConfig per window of a season: ``windows`` consecutive windows of ``config.window_hours`` from
    ``config.start``, each with its own seed and its crowds scaled by a daily cycle (from a tenth at night to
    the full crowd at ``busiest_hour`` UTC) times a random factor between 0.7 and 1.3."""
    rng = np.random.default_rng(seed)
    configs = []
    for index in range(int(windows)):
        start = config.start + index * config.window_hours * 3600.0
        hour = ((start / 3600.0 + 0.5 * config.window_hours) % 24.0)
        cycle = 0.1 + 0.9 * 0.5 * (1.0 + np.cos(2.0 * np.pi * (hour - busiest_hour) / 24.0))
        scale = cycle * rng.uniform(0.7, 1.3)
        crowds = [(x, y, spread, max(1, int(round(clients * scale)))) for x, y, spread, clients in config.crowds]
        configs.append(replace(config, start=start, crowds=crowds, seed=int(rng.integers(2 ** 31))))
    return configs


def simulate_season(configs):
    """The PRs of the windows ``configs`` (e.g. ``season_configs``) in one table sorted by time, their APs (those
    of the first config), and the connections table of every window's connected clients (MACs, their APs)."""
    sites = [simulate(config) for config in configs]
    probes = [site.probes for site in sites]
    order = np.argsort(np.concatenate([p.time for p in probes]), kind="stable")
    merged = Probes(*(np.concatenate([getattr(p, name) for p in probes])[order]
                      for name in ("time", "ap_id", "mac", "rss")))
    return (merged, sites[0].aps, np.concatenate([site.connections for site in sites]),
            np.concatenate([site.connection_ap for site in sites]))


def true_counts(probes, kind, config):
    """The counts preprocessing should find, from the simulation's own labels (the Preprocessing tool's
    definitions, paper §3.4).

    clients, and clients per kind (outdoor, indoor, iot, connected); EMISSIONS: heard emissions of
    randomising clients (passers-by included); P_k: PRs of those emissions heard by exactly k distinct APs
    (k = 1..3 and 'P4plus', plus 'P_by_k' for every k); P = P1 + P2 + P3 (the CR PRs when THRESHOLD = 3
    counts rows);
    EMISSIONS_1TO3: emissions heard by 1-3 APs; RANDOMISING_PRS: all PRs of randomising clients;
    PRS_PER_CLIENT: RANDOMISING_PRS per randomising client; WINDOW_HOURS.
    """
    randomising = np.isin(probes.extra["true_kind"].astype(str), RANDOMISING + (PASSER_BY,))
    emission = probes.extra["true_emission"][randomising]
    ap_names, ap_code = np.unique(probes.ap_id[randomising].astype(str), return_inverse=True)
    ids, rows = np.unique(emission, return_counts=True)  # an AP logs several frames of a realistic burst
    heard_at = np.unique(emission.astype(np.int64) * max(len(ap_names), 1) + ap_code.reshape(-1))
    n_aps = np.bincount(np.searchsorted(ids, heard_at // max(len(ap_names), 1)), minlength=len(ids))
    prs_by_k = np.bincount(n_aps, weights=rows).astype(np.int64)
    p_by_k = {k: int(prs_by_k[k]) for k in range(1, len(prs_by_k)) if prs_by_k[k]}
    randomising_clients = int(np.isin(kind, RANDOMISING + (PASSER_BY,)).sum())
    counts = {"clients": len(kind), **{k: int((kind == k).sum()) for k in (OUTDOOR, INDOOR, IOT, CONNECTED)},
              "EMISSIONS": len(ids), "EMISSIONS_1TO3": int((n_aps <= 3).sum()), "P_by_k": p_by_k,
              "P4plus": int(sum(v for k, v in p_by_k.items() if k >= 4)),
              "RANDOMISING_PRS": int(randomising.sum()),
              "PRS_PER_CLIENT": float(randomising.sum()) / max(randomising_clients, 1),
              "WINDOW_HOURS": float(config.window_hours)}
    for k in (1, 2, 3):
        counts[f"P{k}"] = p_by_k.get(k, 0)
    counts["P"] = counts["P1"] + counts["P2"] + counts["P3"]
    return counts


def random_macs(count, rng):
    """``count`` distinct random 16-hex-digit MAC tokens (as a hashed MAC looks), as a str array."""
    while True:
        tokens = np.frombuffer(rng.bytes(8 * count).hex().encode("ascii"), dtype="S16").astype(str)
        if len(np.unique(tokens)) == count:
            return tokens


def _access_points(config):
    xy = np.asarray(config.ap_xy, dtype=float).reshape(-1, 2)
    if len(xy) == 0:
        raise InputError("The simulated site needs at least one AP position.")
    ids = np.asarray(config.ap_ids if config.ap_ids is not None else [f"AP{i + 1}" for i in range(len(xy))],
                     dtype=object).astype(str).astype(object)
    indoor = np.asarray(config.indoor if config.indoor is not None else np.zeros(len(xy)), dtype=bool)
    if len(ids) != len(xy) or len(indoor) != len(xy):
        raise InputError(f"{len(xy)} AP positions but {len(ids)} ids and {len(indoor)} indoor flags.")
    return AccessPoints(ids, xy, indoor, config.crs)


def _place_clients(config, aps, rng):
    parts, kinds = [], []
    crowds = np.asarray(config.crowds, dtype=float).reshape(-1, 4)
    crowd_clients = crowds[:, 3].astype(int)
    crowd_xy = _gaussian_points(crowds[:, :2], crowds[:, 2], crowd_clients, rng)
    parts.append(crowd_xy)
    kinds += [OUTDOOR] * len(crowd_xy)
    if config.client_xy is not None and len(config.client_xy):
        explicit = np.asarray(config.client_xy, dtype=float).reshape(-1, 2)
        parts.append(explicit)
        kinds += [OUTDOOR] * len(explicit)
    if config.indoor_clients:
        if not aps.indoor.any():
            raise InputError("Indoor clients (INDOOR_CLIENTS) need an indoor AP: flag one AP as indoor, "
                             "or set the number of indoor clients to 0.")
        parts.append(_gaussian_points(aps.xy[aps.indoor][:1], [config.indoor_spread], [config.indoor_clients], rng))
        kinds += [INDOOR] * config.indoor_clients
    if config.iot_devices:
        low, high = aps.xy.min(axis=0), aps.xy.max(axis=0)
        parts.append(rng.uniform(low, high, (config.iot_devices, 2)))
        kinds += [IOT] * config.iot_devices
    if config.connected_clients:
        if not crowd_clients.sum():
            raise InputError("connected_clients are placed in the crowds: give at least one crowd.")
        weights = crowd_clients / crowd_clients.sum()
        which = rng.choice(len(crowds), size=config.connected_clients, p=weights)
        parts.append(crowds[which, :2] + rng.normal(size=(config.connected_clients, 2)) * crowds[which, 2:3])
        kinds += [CONNECTED] * config.connected_clients
    return np.vstack(parts) if parts else np.zeros((0, 2)), np.array(kinds, dtype="U9")


def _gaussian_points(centres, spreads, counts, rng):
    counts = np.asarray(counts, dtype=int)
    centre = np.repeat(np.asarray(centres, dtype=float).reshape(-1, 2), counts, axis=0)
    spread = np.repeat(np.asarray(spreads, dtype=float), counts)[:, None]
    return centre + rng.normal(size=centre.shape) * spread


def _emission_counts(config, kind, rng):
    fixed = {IOT: config.iot_emissions, CONNECTED: config.connected_emissions}
    counts = rng.poisson(config.emissions_per_client, len(kind))
    for name, emissions in fixed.items():
        counts[kind == name] = emissions
    return counts


def _receive(config, aps, emitter_xy, emitter_indoor, rng):
    """Integer RSS (emissions x APs) and whether each AP heard each emission."""
    distance = np.hypot(emitter_xy[:, None, 0] - aps.xy[None, :, 0], emitter_xy[:, None, 1] - aps.xy[None, :, 1])
    through_wall = emitter_indoor[:, None] != aps.indoor[None, :]
    gains = np.zeros(len(aps)) if config.gains is None else np.asarray(config.gains, dtype=float)
    if gains.shape != (len(aps),):
        raise InputError(f"{len(aps)} APs but {gains.size} gains: give one gain (dB) per AP.")
    mean = rss_at(distance, config.a, config.n) + gains[None, :] - config.wall_loss * through_wall
    rss = np.round(mean + rng.normal(0.0, config.sigma_rss, mean.shape))
    reception = np.asarray(config.reception, dtype=float)
    if reception.size not in (1, len(aps)):
        raise InputError(f"{len(aps)} APs but {reception.size} reception probabilities: give one, or one per AP.")
    heard = (rss >= config.floor) & (rng.random(mean.shape) < np.broadcast_to(reception.ravel(), (len(aps),)))
    return rss, heard


def centred_crowd(ap_xy, clients):
    """One crowd at the centroid of the APs, its spread a quarter of their bounding box's shorter side."""
    xy = np.asarray(ap_xy, dtype=float).reshape(-1, 2)
    spread = max(0.25 * float(np.min(np.ptp(xy, axis=0))), 5.0)
    return [(float(xy[:, 0].mean()), float(xy[:, 1].mean()), spread, int(clients))]


def sample_config(seed=7, crs="EPSG:32633", origin=(616990.0, 5450290.0)):
    """A realistic 300 x 200 m outdoor site: 7 outdoor APs, 3 crowds, one indoor AP (a café) with a crowd
    inside, IoT devices and connected clients, 3-hour window. ``origin`` (the site's south-west corner) places
    it in ``crs``; the default is the main square of Brno in UTM 33N."""
    ox, oy = origin
    local_aps = [(0, 0), (150, -10), (300, 0), (0, 200), (150, 210), (300, 200), (150, 100), (260, 120)]
    return SiteConfig(
        ap_xy=[(ox + x, oy + y) for x, y in local_aps],
        ap_ids=["AP1", "AP2", "AP3", "AP4", "AP5", "AP6", "AP7", "CAFE"],
        indoor=[False] * 7 + [True],
        crowds=[(ox + 80, oy + 60, 20, 60), (ox + 200, oy + 150, 25, 90), (ox + 230, oy + 40, 12, 30)],
        emissions_per_client=36.0, indoor_clients=25, iot_devices=6, connected_clients=10, crs=crs, seed=seed)
