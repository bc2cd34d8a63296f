"""The Counting tool's formulas (paper §4.4, Eq. 9 and §6.1.3; ref [1] for X and X_CC).

Clients = PRs / X, where X is the number of PRs one client leaves in the window. Every method starts from
X12 = X_DAY * h / 24 (ref [1]: X_DAY ~ 524 PRs per client per day). The correcting methods read X12 as the
*emissions* a client makes in the window and divide out the PRs an emission leaves when several APs hear it.
"""
from dataclasses import dataclass

import numpy as np

from ..core.errors import InputError

LEGACY, STRAWMAN, MULTIPLICITY, POSITION = "legacy", "strawman", "multiplicity", "position"
DEFAULT_X_DAY = 524.0  # PRs per client per day (ref [1])
GLOBAL_METHODS = (LEGACY, STRAWMAN, MULTIPLICITY)


def window_x(x_day, hours):
    """X12 = X_DAY * h / 24: PRs per client in a window of ``hours`` (paper §4.4; 524 * 3 / 24 = 65.5)."""
    if not (np.isfinite(x_day) and x_day > 0):
        raise InputError(f"X_DAY = {x_day:g}: PRs per client per day must be a positive number (ref [1]: 524).")
    if not (np.isfinite(hours) and hours > 0):
        raise InputError(f"WINDOW_HOURS = {hours:g}: the window must last a positive number of hours.")
    return float(x_day) * float(hours) / 24.0


def clients(prs, x):
    """C = PRs / X (paper §4.4)."""
    if not (np.isfinite(x) and x > 0):
        raise InputError(f"X = {x:g}: the PRs per client must be positive to count clients.")
    return float(prs) / float(x)


def strawman_correction(p, p3):
    """1 - (2/3) P3/P: the share of emissions left when each 3-AP emission's 3 PRs count once (Table 1).

    P3 <= P keeps it in [1/3, 1], so it never reaches zero for valid counts.
    """
    _check_prs(p, {3: p3})
    return share_correction(float(p3) / float(p))


def share_correction(p3_share):
    """1 - (2/3) s for a 3-AP share s = P3/P (scalar or per zone)."""
    return 1.0 - (2.0 / 3.0) * p3_share


def strawman_x(x12, p, p3):
    """Xbase = X12 / (1 - (2/3) P3/P) (paper Eq. 9)."""
    return float(x12) / strawman_correction(p, p3)


def multiplicity_x(x12, p, by_k):
    """X = X12 * P / sum_k(P_k / k): every emission heard by k APs counts once (beyond the paper).

    ``by_k``: {k: P_k}, PRs of emissions heard by exactly k APs (P1, P2, P3 and, when preprocessing counts
    emissions, P4, P5, ...). When the P_k add up to less than P (some PRs of unknown multiplicity), their
    mean multiplicity sum(P_k) / sum(P_k / k) is applied to all of P; with P = sum(P_k) that is the formula.
    """
    _check_prs(p, by_k)
    heard = sum(float(v) for v in by_k.values())
    emissions = sum(float(v) / k for k, v in by_k.items())
    if emissions <= 0:
        raise InputError("The multiplicity method needs P1, P2, P3 (PRs heard by 1, 2, 3 APs); they are all 0. "
                         "Take them from the Preprocessing tool's outputs.")
    return float(x12) * heard / emissions


def global_x(method, x12, p, by_k):
    """The site-wide X of a legacy, strawman or multiplicity count."""
    if method == LEGACY:
        _check_prs(p, by_k)
        return float(x12)
    if method == STRAWMAN:
        return strawman_x(x12, p, by_k.get(3, 0))
    if method == MULTIPLICITY:
        return multiplicity_x(x12, p, by_k)
    raise InputError(f"Unknown counting method '{method}'; use one of {', '.join(GLOBAL_METHODS)}.")


@dataclass
class PositionX:
    """Per-zone X of the position method; ``clamped``: indices of zones whose 3-AP share was capped at 1."""

    x: np.ndarray
    factor: float
    clamped: np.ndarray


def position_x(x12, zone_prs, zone_localizations, total_localizations, p3, base_x):
    """Position-dependent X per zone (paper §6.1.3).

    Zone i holds PR mass P_i and N_i of the N localizations: P3_i = (N_i / N) P3 and
    X_i = X12 / (1 - (2/3) P3_i / P_i). A common factor then rescales all X_i so that the zones hold the
    clients the base method gives them, sum(P_i / X_i) = sum(P_i) / base_x (= P / X when the zones hold all
    of P). Clamping: a zone cannot hold more 3-AP PRs than PRs, so P3_i / P_i is capped at 1 (X_i <= 3 X12);
    the capped zones are reported. A zone with no PR mass has no clients whatever its X.
    """
    prs = np.asarray(zone_prs, dtype=float)
    located = np.asarray(zone_localizations, dtype=float)
    if prs.shape != located.shape or prs.ndim != 1 or len(prs) == 0:
        raise InputError("The position method needs one PR mass and one localization count per zone.")
    if np.any(prs < 0) or not np.all(np.isfinite(prs)):
        raise InputError("A zone has a negative or undefined PR mass; check the DENSITY raster.")
    if not (total_localizations > 0) or located.sum() > total_localizations:
        raise InputError(f"The position method needs localization POINTS: {int(located.sum())} in the zones "
                         f"out of {total_localizations}. Run the Localization tool and pass its points.")
    if prs.sum() <= 0:
        raise InputError("The zones hold no PR mass of the DENSITY raster; zones and raster do not overlap.")
    zone_p3 = located / float(total_localizations) * float(p3)
    with np.errstate(divide="ignore", invalid="ignore"):
        share = np.where(prs > 0, zone_p3 / prs, np.where(zone_p3 > 0, 1.0, 0.0))
    clamped = np.flatnonzero(share > 1.0)
    raw_x = float(x12) / share_correction(np.minimum(share, 1.0))
    factor = float(np.sum(prs / raw_x) * base_x / prs.sum())
    return PositionX(raw_x * factor, factor, clamped)


def connected_client_x(p_cc, a_cc, mean_hours):
    """X_CC = P_CC / (A_CC * <t_CC>) of ref [1], in PRs per client per day, to check X_DAY against.

    P_CC: PRs of the connected clients (class CC) in the window; A_CC: how many distinct connected clients
    sent them; mean_hours: their mean time on site within the window, in hours (converted to days here).
    """
    if not (np.isfinite(p_cc) and p_cc >= 0):
        raise InputError(f"P_CC = {p_cc:g}: the connected clients' PRs must be a count >= 0.")
    if not (np.isfinite(a_cc) and a_cc > 0):
        raise InputError(f"A_CC = {a_cc:g}: give the number of connected clients (at least 1) to check X.")
    if not (np.isfinite(mean_hours) and mean_hours > 0):
        raise InputError(f"T_CC_HOURS = {mean_hours:g}: the connected clients' mean time on site must be > 0 h.")
    return float(p_cc) / (float(a_cc) * float(mean_hours) / 24.0)


def check_parts(method, p, by_k):
    """Refuse P and P_k that ``method`` cannot count from: parts adding up to more than P (any method), or a part the
    method needs left at 0 while the parts do not account for all of P, which is what a P_k never given looks like.

    legacy needs P alone. strawman (and position, which spreads P3 over the zones) needs P3 as well: the paper's
    inputs are P and P3. multiplicity needs P1, P2 and P3 (and P4, P5, ... when there are any). A needed part of 0
    is believed when the parts add up to P, as the Preprocessing tool's always do (a window where no emission was
    heard by 3 APs has P3 = 0); a rounding of half a PR is allowed.
    """
    _check_prs(p, by_k)
    if method == LEGACY:
        return
    needed = (1, 2, 3) if method == MULTIPLICITY else (3,)
    zero = [k for k in needed if not by_k.get(k, 0) > 0]
    heard = sum(float(v) for v in by_k.values())
    if not zero or heard >= float(p) - max(0.5, 1e-9 * float(p)):
        return
    names = _and([f"P{k}" for k in zero])
    what = f"{names} {'is' if len(zero) == 1 else 'are all' if len(zero) == 3 else 'are'} 0"
    given = [k for k in sorted(by_k) if by_k[k] > 0]
    parts = (f", and the parts given ({' + '.join(f'P{k}' for k in given)} = {heard:g}) leave "
             f"{float(p) - heard:g} PRs of P unaccounted for") if given else ""
    if method == MULTIPLICITY:
        raise InputError(f"The multiplicity method needs P1, P2 and P3 (and P_MORE, when the Preprocessing tool "
                         f"reports P4, P5, ...): {what} while P = {float(p):g}{parts}. Take P, P1, P2, P3 and P_MORE "
                         "from the same Preprocessing run (they add up to P), or choose METHOD legacy (needs only "
                         "P) or strawman (needs P and P3).")
    without = ("the strawman count would be the legacy one" if method == STRAWMAN
               else "every zone would get the same X")
    raise InputError(f"The {method} method needs P3, the PRs of emissions heard by 3 APs: {what} while "
                     f"P = {float(p):g}{parts}. Without P3 {without}. Take P3 from the same Preprocessing run "
                     "as P (its output P3), or choose METHOD legacy, which needs only P.")


def _and(names):
    return names[0] if len(names) == 1 else f"{', '.join(names[:-1])} and {names[-1]}"


def _check_prs(p, by_k):
    if not (np.isfinite(p) and p > 0):
        raise InputError(f"P = {p:g}: there are no CR PRs to count; check the time window and the Preprocessing "
                         "tool's THRESHOLD (P is its output P).")
    for k, value in by_k.items():
        if not (np.isfinite(value) and value >= 0):
            raise InputError(f"P{k} = {value} must be a count >= 0.")
    heard = sum(float(v) for v in by_k.values())
    if heard > float(p) * (1 + 1e-9):
        names = " + ".join(f"P{k}" for k in sorted(by_k))
        raise InputError(f"{names} = {heard:g} exceeds P = {p:g}: P counts all CR PRs, so it cannot be smaller "
                         "than its parts. Take P and P1..P3 from the same Preprocessing run.")


def format_multiplicities(by_k):
    """P_k for every k as text 'k:P_k;...' (the Preprocessing tool's P_BY_K output), e.g. '1:120;2:40;3:18'."""
    return ";".join(f"{k}:{v}" for k, v in sorted(by_k.items()))


def format_higher(by_k):
    """P4, P5, ... as a comma list (the Preprocessing tool's P_MORE output); empty without them."""
    return ", ".join(str(v) for k, v in sorted(by_k.items()) if k >= 4)


def parse_higher(text):
    """{4: P4, 5: P5, ...} from the Counting tool's P_MORE: a comma list 'P4, P5, ...' (format_higher) or
    k:P_k pairs '4:120; 6:12' (format_multiplicities)."""
    tokens = [t for t in (text or "").replace(";", " ").replace(",", " ").split() if t]
    try:
        if any(":" in t for t in tokens):
            pairs = {int(k): float(v) for k, v in (t.split(":") for t in tokens)}
            return {k: v for k, v in pairs.items() if k >= 4}
        return {k: float(t) for k, t in enumerate(tokens, start=4)}
    except ValueError:
        raise InputError(f"P_MORE = '{text}': give P4, P5, ... as numbers separated by commas "
                         "(or k:P_k pairs such as '4:120; 5:30').") from None
