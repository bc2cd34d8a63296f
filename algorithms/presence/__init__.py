"""Presence analytics of stable devices: visitors, passers-by, dwell time, re-entries, loyalty and flows.

The density toolkit (Yang, Ahriz & Denby, Sensors 2023, 23, 6142) answers "how many clients where" for the
whole crowd without following anyone, because phones randomise their MAC at almost every emission (the paper
§3.2). A share of devices keep a stable identifier (connected clients, fixed-MAC devices): for those, the
questions of footfall analytics have answers, given here as aggregates per local day, small counts suppressed.
``stable_share`` says what share of the PR traffic they represent; the randomised crowd per zone and window
is what the season tool's per-zone counts answer.

Definitions (as the tool applies them):

- Times without a zone are UTC. Local days are the calendar days of TIMEZONE (as it defines them, DST
  included).
- A *stable device* is a token listed in CONNECTIONS or with more than THRESHOLD PR rows in the whole input.
  Only stable devices enter the analytics; every other token is never followed.
- A *session* is a stable device's PRs with no gap longer than SESSION_GAP; it belongs to the local day it
  starts on.
- A session is a *visit* when it holds at least two PRs, at least 1 s apart, heard by APs of STORE_ZONE at
  RSS >= VISITOR_RSS, the first and last of those at least MIN_DWELL apart; its *dwell* is that span.
- A device whose sessions on a local day span more than MAX_DWELL in total (first to last PR of each session,
  summed) is a *resident* that day (staff, IoT): it counts in ``devices_stable`` and ``stable_share`` only.
- Per local day, counted in devices: a *visitor* has at least one visit that day; a *passer-by* has sessions
  but no visit that day. ``reentries`` counts visits that are a device's second or later visit of that day.
- Dwell buckets hold visits with 5 <= d < 20, 20 <= d < 60, 60 <= d < 360, d >= 360 minutes.
  ``median_dwell_min`` is the median of the day's visits' dwell (mean of the two middle ones for an even
  count).
- *Loyalty*: over the whole input, visitors by their number of distinct local days with a visit.
- Flows: per local day, transitions between zones within sessions (the zone of the strongest PR of each
  minute; a change of zone is a transition), counted in devices per (day, from zone, to zone).
- Privacy: every count from 1 to K_ANONYMITY - 1 is written as NULL and named in ``suppressed`` (0 stays 0);
  ``capture_rate`` is NULL when visitors + passersby < K and ``median_dwell_min`` when the day has fewer than
  K visits; flows below K are left out. A device's sessions never leave the computation: the outputs hold
  aggregates only, never a token.

What is not built, and why:

- Following randomised MACs: a randomising phone shows a new token at almost every emission, and joining its
  tokens back into one device (by sequence numbers, timing or probe contents) is re-identification, which the
  MAC randomisation exists to prevent. Those PRs only count in ``stable_share``'s denominator.
- Cross-operator visitor portraits: combining one device's visits across sites or operators builds a profile
  of a person from data they never agreed to pool; the tool reads one operator's tables and outputs
  aggregates only.
"""
from .analytics import PresenceResult, PresenceSettings, presence

__all__ = ["PresenceResult", "PresenceSettings", "presence"]
