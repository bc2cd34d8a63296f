"""Realistic phones for the site twin: device models, scan bursts, MAC and sequence-number policies, passers-by.

The plain simulator (simulate.py) follows the paper's assumptions: one emission is one frame per AP, a fresh
MAC for every emission, no sequence numbers. A method that groups PRs into devices must be checked off that
model, on devices that behave as phones do:

- **Bursts.** A phone scans by sending a short burst of probe requests, several frames a few tens of
  milliseconds apart on each channel (Vanhoef et al., AsiaCCS 2016, doi:10.1145/2897845.2897883; Matte et al.,
  WiSec 2016, doi:10.1145/2939918.2939930, whose timing attack rests on the inter-frame times of a device's
  probe requests). Here a burst is 2-5 frames spread over 20-100 ms on the sniffers' channel, the range per
  model an assumption within what those papers describe.
  Every AP hears every frame independently (RECEPTION), each frame with its own RSS noise, so an AP can log
  some or all of a burst.
- **Information elements.** The IEs of a probe request (their ids and order, supported rates, HT/VHT/extended
  capabilities, vendor-specific elements and their OUIs) are stable per model and OS version and survive MAC
  randomisation (Vanhoef et al. 2016; Pintor & Atzori's labelled dataset, Mendeley Data 2021,
  doi:10.17632/j64btzdsdy; Baccichet et al., Politecnico di Milano, arXiv:2412.10548, who note that devices
  of one type and OS cannot be told apart by IEs). So several iPhone models on one iOS version share one
  signature here. The signature texts are made up in that format: deterministic labels, not captured frames.
- **MAC policy.** A new random MAC for every scan burst (iOS, recent Android while not associated), one MAC
  kept for some minutes, or one "pseudo-random" MAC kept until the WiFi interface is switched off, i.e. for
  the whole window here (Uras et al., Computer Networks 2022, doi:10.1016/j.comnet.2022.109393). Which model
  follows which policy, and the minutes, are assumptions.
- **Sequence numbers.** The 12-bit 802.11 sequence counter goes up by one per frame, so it runs on by one
  within a burst. Many devices did not reset it when they changed MAC, which links their MACs (Vanhoef et
  al. 2016; Uras et al. 2022 use the rate at which frames are numbered); others restart it at a random value
  with each new MAC. Between two bursts heard on the site's channel the counter also advances by the frames
  sent on the other channels of the scan and by other traffic: a Poisson number of mean ``seq_step`` (an
  assumption: a scan of 11-13 channels sends tens of frames).
- **Scan rates.** Screen on, Android's periodic scan starts at 20 s and backs off to 160 s (AOSP
  WifiConnectivityManager); iOS is assumed to be of the same order. Screen off, phones scan far less. Here
  every phone has a screen-on interval drawn log-normally (sd ``rate_spread`` in log) around its model's, an
  idle interval ``idle_factor`` times longer, and spends each 5-minute slot of the window screen-on with a
  probability of its own (mean ``screen_on``); a burst never starts within 2 s of the device's last one. The
  idle factor, the slot length and the screen-on share are assumptions. At the defaults a phone sends about
  20 bursts and 70 frames an hour on the sniffers' channel, more than the day-long average of Yang et al.,
  Sensors 2022 (524 PRs logged per client per day, nights included): visitors of a busy site use their
  phones.
- **Passers-by.** Phones that walk past the site along a line ``passer_distance`` metres outside the APs'
  bounding box at walking speed (1.0-1.6 m/s) for 2-8 minutes: heard faintly and briefly. They are counted
  apart from the devices in the area in the truth.

The phones' share per model is a plausible European mix, an assumption.
"""
from dataclasses import dataclass, field

import numpy as np

PER_BURST, MINUTES, WINDOW = "burst", "minutes", "window"  # MAC policies
CONTINUE, RESTART = "continue", "restart"  # sequence-counter policies on a new MAC
SEQ_MODULO = 4096
SLOT_S = 300.0  # screen-on / idle state is drawn per 5-minute slot
SCAN_GAP_S = 2.0  # a scan of every channel takes a second or two: no burst starts sooner after the last

_IOS17 = ("ie=0,1,50,3,45,127,191,221:0017f2:0a,221:0050f2:08;rates=1,2,5.5,11,6,9,12,18,24,36,48,54;"
          "ht=0x002d;ampdu=0x17;ext=0400080000000040;vht=0x0f8259b2")
_IOS15 = ("ie=0,1,50,3,45,127,221:0017f2:0a;rates=1,2,5.5,11,6,9,12,18,24,36,48,54;ht=0x002d;ampdu=0x17;"
          "ext=0400080000000040")
_SAMSUNG = ("ie=0,1,50,3,45,127,191,255:35,255:2,221:0050f2:08,221:001018:02,221:506f9a:16;"
            "rates=1,2,5.5,11,6,9,12,18,24,36,48,54;ht=0x01ef;ampdu=0x03;ext=0000080400000040;vht=0x0391f9b2")
_PIXEL = ("ie=0,1,50,3,45,127,191,255:35,221:506f9a:16;rates=1,2,5.5,11,6,9,12,18,24,36,48,54;ht=0x01ef;"
          "ampdu=0x17;ext=0000080400000040;vht=0x0f9178b1")
_XIAOMI = ("ie=0,1,50,3,45,127,221:00904c:33,221:0050f2:08;rates=1,2,5.5,11,6,9,12,18,24,36,48,54;ht=0x112c;"
           "ampdu=0x03;ext=0000080000000040")
_ANDROID9 = ("ie=0,1,50,45,127,221:001018:02,221:0050f2:08;rates=1,2,5.5,11,6,9,12,18,24,36,48,54;ht=0x016e;"
             "ampdu=0x03;ext=00000a0200000040")


@dataclass(frozen=True)
class DeviceModel:
    """A phone model as the sniffers see it.

    name: model label (true_model); signature: its IE signature text (fingerprint); share: its share of the
    phones; mac_policy: 'burst' (new MAC every scan burst), 'minutes' (one MAC for ``mac_minutes``) or 'window'
    (one MAC for the window); seq_policy: 'continue' (the sequence counter runs on across MAC changes) or
    'restart' (a random value with each new MAC); scan_s: mean interval between scan bursts, screen on
    (seconds); frames: (fewest, most) frames of a burst on the sniffers' channel; burst_ms: (shortest, longest)
    span of a burst in milliseconds; seq_step: mean frames sent between two bursts on other channels.
    """

    name: str
    signature: str
    share: float
    mac_policy: str = PER_BURST
    mac_minutes: float = 0.0
    seq_policy: str = RESTART
    scan_s: float = 60.0
    frames: tuple = (2, 4)
    burst_ms: tuple = (20.0, 60.0)
    seq_step: float = 20.0


PHONE_MODELS = (
    DeviceModel("iPhone 15 (iOS 17)", _IOS17, 0.13, PER_BURST, 0.0, RESTART, 60.0, (2, 3), (20.0, 40.0), 24.0),
    DeviceModel("iPhone 14 (iOS 17)", _IOS17, 0.12, PER_BURST, 0.0, RESTART, 60.0, (2, 3), (20.0, 40.0), 24.0),
    DeviceModel("iPhone 12 (iOS 17)", _IOS17, 0.10, PER_BURST, 0.0, RESTART, 60.0, (2, 3), (20.0, 40.0), 24.0),
    DeviceModel("iPhone 8 (iOS 15)", _IOS15, 0.05, MINUTES, 15.0, CONTINUE, 75.0, (2, 3), (20.0, 50.0), 20.0),
    DeviceModel("Samsung Galaxy A54 (Android 14)", _SAMSUNG, 0.25, PER_BURST, 0.0, CONTINUE, 40.0, (3, 5),
                (40.0, 100.0), 30.0),
    DeviceModel("Google Pixel 7 (Android 14)", _PIXEL, 0.10, PER_BURST, 0.0, RESTART, 30.0, (2, 4),
                (30.0, 80.0), 30.0),
    DeviceModel("Xiaomi Redmi Note 11 (Android 12)", _XIAOMI, 0.15, WINDOW, 0.0, CONTINUE, 50.0, (3, 5),
                (40.0, 100.0), 26.0),
    DeviceModel("Huawei P20 (Android 9)", _ANDROID9, 0.10, MINUTES, 10.0, CONTINUE, 30.0, (2, 5), (30.0, 100.0),
                22.0),
)
FIXED_MODEL = DeviceModel("fixed-MAC device", "ie=0,1,50,221:0050f2:04;rates=1,2,5.5,11", 0.0, WINDOW, 0.0,
                          CONTINUE, 0.0, (1, 1), (0.0, 0.0), 10.0)  # IoT devices and connected clients


@dataclass
class DeviceConfig:
    """Realistic phones for SiteConfig.devices (see the module's docstring for the figures).

    models: the phone models (their shares are normalised); screen_on: mean share of the window a phone is in
    use; idle_factor: how much longer the scan interval is with the screen off; rate_spread: sd of the
    per-phone log scan interval around its model's; passers_by: phones that walk past the site;
    passer_distance: how far outside the APs' bounding box they walk (m); passer_minutes: (shortest, longest)
    time they are within hearing.
    """

    models: tuple = PHONE_MODELS
    screen_on: float = 0.2
    idle_factor: float = 10.0
    rate_spread: float = 0.4
    passers_by: int = 0
    passer_distance: float = 60.0
    passer_minutes: tuple = field(default=(2.0, 8.0))


def draw_models(count, models, rng):
    """Index into ``models`` of ``count`` phones, drawn by the models' shares."""
    share = np.array([m.share for m in models], dtype=float)
    return rng.choice(len(models), size=count, p=share / share.sum()) if count else np.zeros(0, dtype=int)


def scan_times(scan_s, present, config, rng):
    """Burst times of every phone: (device index per burst, time), sorted by device then time.

    scan_s: each phone's model interval (s); present: (start, end) per phone, the span it is within hearing.
    Each 5-minute slot a phone is screen-on with its own probability and scans every ``interval`` (drawn
    around the model's) or, idle, every ``idle_factor`` times that.
    """
    count = len(scan_s)
    if not count:
        return np.zeros(0, dtype=int), np.zeros(0)
    interval = np.asarray(scan_s, float) * np.exp(rng.normal(0.0, config.rate_spread, count))
    on = np.clip(config.screen_on, 1e-6, 1 - 1e-6)
    p_on = rng.beta(4.0 * on, 4.0 * (1.0 - on), count)  # each phone's own habit around the mean
    start, end = present[:, 0], present[:, 1]
    slots = int(np.ceil((end - start).max() / SLOT_S))
    slot_start = start[:, None] + SLOT_S * np.arange(slots)[None, :]
    slot_end = np.minimum(slot_start + SLOT_S, end[:, None])
    length = np.maximum(slot_end - slot_start, 0.0)
    screen = rng.random((count, slots)) < p_on[:, None]
    rate = np.where(screen, 1.0, 1.0 / config.idle_factor) / interval[:, None]
    bursts = rng.poisson(rate * length)
    device = np.repeat(np.repeat(np.arange(count), slots), bursts.ravel())
    slot = np.repeat(np.tile(np.arange(slots), count), bursts.ravel())
    time = slot_start[device, slot] + rng.random(len(device)) * length[device, slot]
    order = np.lexsort((time, device))
    return device[order], time[order]


def spaced(device, time):
    """Whether each burst (sorted by device then time) starts at least SCAN_GAP_S after the device's last."""
    return np.r_[True, (device[1:] != device[:-1]) | (np.diff(time) >= SCAN_GAP_S)] if len(device) else \
        np.zeros(0, dtype=bool)


def burst_frames(model_of_burst, models, rng):
    """Frames of each burst and the offset of each frame from its burst's start (s).

    Returns (frames per burst, burst index per frame, offset per frame): a burst of n frames spans a duration
    drawn in its model's range, its frames evenly spaced over it.
    """
    low = np.array([m.frames[0] for m in models])[model_of_burst]
    high = np.array([m.frames[1] for m in models])[model_of_burst]
    frames = rng.integers(low, high + 1)
    span_low = np.array([m.burst_ms[0] for m in models])[model_of_burst]
    span_high = np.array([m.burst_ms[1] for m in models])[model_of_burst]
    span = rng.uniform(span_low, span_high) / 1000.0
    burst = np.repeat(np.arange(len(frames)), frames)
    rank = np.arange(len(burst)) - np.repeat(np.cumsum(frames) - frames, frames)
    offset = span[burst] * rank / np.maximum(frames[burst] - 1, 1)
    return frames, burst, offset


def mac_groups(device, time, policy, minutes, phase):
    """The MAC group of each burst (bursts sorted by device then time; equal ids share one MAC) and whether the
    burst is sent with a MAC the device had not used before. ``policy``/``minutes`` per burst: a new MAC every
    burst ('burst'), every ``minutes`` counted from the device's ``phase`` (s, its last change before the
    window; 'minutes'), or one MAC throughout ('window')."""
    n = len(device)
    period = np.floor((time - phase) / np.maximum(np.asarray(minutes, float) * 60.0, 1e-9)).astype(np.int64)
    sub = np.where(policy == PER_BURST, np.arange(n), np.where(policy == MINUTES, period, -1))
    _, group = np.unique(np.column_stack([device, sub]), axis=0, return_inverse=True)
    group = group.reshape(-1)
    new_mac = np.r_[True, (group[1:] != group[:-1])] if n else np.zeros(0, dtype=bool)
    return group, new_mac


def sequence_starts(device, frames, new_mac, restart, seq_step, rng):
    """Sequence number of the first frame of each burst (bursts sorted by device then time).

    A device's counter starts at a random value; each burst adds its frames plus a Poisson number of frames of
    mean ``seq_step`` sent elsewhere before the next. With ``restart`` a burst sent with a new MAC starts at a
    random value instead.
    """
    n = len(device)
    if not n:
        return np.zeros(0, dtype=np.int64)
    advance = frames + rng.poisson(seq_step)
    first = np.r_[True, device[1:] != device[:-1]]
    fresh = first | (restart & new_mac)
    random_start = rng.integers(0, SEQ_MODULO, n)
    run = np.cumsum(fresh) - 1  # the stretch of bursts since the last fresh start
    before = np.cumsum(advance) - advance  # frames advanced before each burst
    run_start = np.flatnonzero(fresh)
    return (random_start[run_start][run] + before - before[run_start][run]) % SEQ_MODULO


def passer_paths(count, low, high, config, window, rng):
    """(start xy, velocity xy, (start, end) time) of ``count`` passers-by: each walks along one side of the
    APs' bounding box ``low``-``high`` widened by ``passer_distance``, for 2-8 minutes of the window."""
    low = np.asarray(low, float) - config.passer_distance
    high = np.asarray(high, float) + config.passer_distance
    side = rng.integers(0, 4, count)  # south, north, west, east
    along = rng.random(count)
    horizontal = side < 2
    x = np.where(horizontal, low[0] + along * (high[0] - low[0]), np.where(side == 2, low[0], high[0]))
    y = np.where(horizontal, np.where(side == 0, low[1], high[1]), low[1] + along * (high[1] - low[1]))
    speed = rng.uniform(1.0, 1.6, count) * rng.choice([-1.0, 1.0], count)
    velocity = np.column_stack([np.where(horizontal, speed, 0.0), np.where(horizontal, 0.0, speed)])
    duration = 60.0 * rng.uniform(config.passer_minutes[0], config.passer_minutes[1], count)
    begin = rng.uniform(window[0], np.maximum(window[1] - duration, window[0]))
    start_xy = np.column_stack([x, y]) - velocity * (duration / 2.0)[:, None]  # mid-path at the chosen point
    return start_xy, velocity, np.column_stack([begin, np.minimum(begin + duration, window[1])])
