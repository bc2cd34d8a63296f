"""List-mode maximum likelihood of where the emissions were made: every emission is one event.

Each heard emission leaves a detection pattern: the APs that heard it, with their RSS, and the APs that did not.
For an emission made at cell c its probability is (model.py)

    L_e(c) = prod_{i heard} p_i K(r_ei | mu_i(c))  x  prod_{i not heard} (1 - p_i D(mu_i(c))),

and the emissions made per cell, lambda_c, are a Poisson field, of which an emission is seen with probability
``S_c = 1 - prod_i (1 - p_i D(mu_i(c)))``. The log-likelihood of the window is

    sum_e log sum_c lambda_c L_e(c)  -  sum_c lambda_c S_c,

maximised in lambda by the list-mode MLEM of emission tomography, ``lambda <- lambda / S x sum_e L_e / Z_e`` with
``Z_e = sum_c lambda_c L_e(c)``, under the same Gaussian sieve as the counts' estimator (mldensity.py). Against
counts per (AP, RSS) it keeps which PRs belong together and what the silent APs say.

Cost. Emissions with the same pattern (same APs, same RSS) are one row with a count, which folds most emissions
heard by one AP together. A pattern is evaluated only on its support: among the cells of its anchor AP's ring
(the heard AP whose ring of +- KEEP_SDS sigma holds the fewest cells, found through the cells sorted by distance
to each AP), those whose likelihood is within exp(-KEEP_SDS^2 / 2) = 2e-3 of the pattern's best cell. On the
simulated site of tests/unit/radio/test_listmode.py the supports hold 99.6 % of a pattern's likelihood on average
(96.5 % at worst, a pattern heard by one AP, whose likelihood spreads thinly over a wide ring) on under half
of the cells. Each MLEM iteration then costs two sparse products over the (pattern, cell) pairs, and the
likelihood at another radio one table lookup per pair and AP that heard it: O(emissions x support).
"""
from dataclasses import dataclass

import numpy as np

from ..core.errors import InputError
from ..core.optional import require
from ..core.progress import SILENT
from ..core.summation import dot
from ..paper import apollonius
from ..paper.pathloss import log_distance, log_distance_from_rss
from .model import log_miss, log_report

KEEP_SDS = 3.5
LOG_STEP = 0.005                 # log10-distance bin of the tables (0.13 dB of mean RSS at n = 2.5)
_CHUNK = 4_000_000               # candidate (pattern, cell) evaluations held in memory at once


@dataclass
class Patterns:
    """Distinct detection patterns. ap: (P, K) AP rows (-1 in unused slots), strongest first; rss: (P, K) dBm;
    count: emissions with each pattern; of_emission: pattern of each emission (in ``labels`` order); labels:
    the emission ids. Rows are sorted by the number of APs, largest first."""

    ap: np.ndarray
    rss: np.ndarray
    count: np.ndarray
    of_emission: np.ndarray
    labels: np.ndarray

    @property
    def size(self):
        return (self.ap >= 0).sum(axis=1)

    def __len__(self):
        return len(self.count)

    @property
    def emissions(self):
        return float(self.count.sum())

    def prs_per_ap(self, aps):
        """PRs heard by each of ``aps`` AP rows."""
        used = self.ap >= 0
        return np.bincount(self.ap[used], weights=np.broadcast_to(self.count[:, None], self.ap.shape)[used],
                           minlength=aps)


def detection_patterns(emission, ap_rows, rss):
    """Patterns of the PRs (emission id, AP row, RSS per PR; rows < 0 are ignored, an AP heard twice in one
    emission keeps its strongest RSS)."""
    heard = apollonius.heard_emissions(emission, ap_rows, rss, min_aps=1)
    if len(heard) == 0:
        raise InputError("No PR of the probe table was heard by an AP of the AP layer: nothing to locate.")
    key = np.concatenate([heard.ap.astype(float), np.nan_to_num(heard.rss, nan=1.0)], axis=1)
    unique, inverse, count = np.unique(key, axis=0, return_inverse=True, return_counts=True)
    slots = heard.ap.shape[1]
    ap = unique[:, :slots].astype(np.int64)
    order = np.argsort(-(ap >= 0).sum(axis=1), kind="stable")
    rank = np.empty_like(order)
    rank[order] = np.arange(len(order))
    ap = ap[order]
    rss_out = np.where(ap >= 0, unique[order, slots:], np.nan)
    return Patterns(ap, rss_out, count[order].astype(float), rank[np.ravel(inverse)], heard.label)


def thinned(patterns, emissions, seed=0):
    """A random subsample of about ``emissions`` of the patterns' emissions (binomial thinning of each count,
    seeded); the patterns themselves when they hold no more."""
    if patterns.emissions <= emissions:
        return patterns
    count = np.random.default_rng(seed).binomial(patterns.count.astype(np.int64), emissions / patterns.emissions)
    kept = count > 0
    return Patterns(patterns.ap[kept], patterns.rss[kept], count[kept].astype(float), np.zeros(0, dtype=np.int64),
                    np.zeros(0))


class Cells:
    """Model cells: a coarse grid, the mask of the cells where emissions can be, and for the cells inside it
    (``index`` into the flattened grid) the log10 distance to every AP (APs x cells), its table bin, and per AP
    the cells ordered by distance."""

    def __init__(self, coarse, mask, ap_xy):
        self.grid = coarse
        self.mask = np.asarray(mask, dtype=bool)
        self.index = np.flatnonzero(self.mask)
        xs, ys = coarse.centres()
        x = np.broadcast_to(xs[None, :], coarse.shape).ravel()[self.index]
        y = np.broadcast_to(ys[:, None], coarse.shape).ravel()[self.index]
        self.xy = np.column_stack([x, y])
        ap_xy = np.asarray(ap_xy, dtype=float)
        self.log_d = log_distance((x[None, :] - ap_xy[:, :1]) ** 2 + (y[None, :] - ap_xy[:, 1:]) ** 2)
        self.bin = np.round(self.log_d / LOG_STEP).astype(np.int64)
        self.bins = int(self.bin.max()) + 1
        self.by_distance = np.argsort(self.log_d, axis=1, kind="stable")
        self.sorted_log_d = np.take_along_axis(self.log_d, self.by_distance, axis=1)

    def __len__(self):
        return len(self.index)

    @property
    def aps(self):
        return self.log_d.shape[0]

    def to_grid(self, values):
        """Cell values as a 2-D array of the coarse grid (0 outside the mask)."""
        full = np.zeros(self.grid.width * self.grid.height)
        full[self.index] = values
        return full.reshape(self.grid.shape)


@dataclass
class Pairs:
    """The sparse likelihood of every pattern on its support, at one radio.

    pattern, cell: the (pattern, cell) pairs, grouped by pattern; value: L_p(c) / max_c L_p(c); log_scale: log
    max_c L_p(c) per pattern; heard: S_c per cell; levels: the distinct RSS values; slots: the Slots of the
    support; radio: the radio they were computed at."""

    pattern: np.ndarray
    cell: np.ndarray
    value: np.ndarray
    log_scale: np.ndarray
    heard: np.ndarray
    levels: np.ndarray
    slots: object
    radio: object

    def __post_init__(self):
        sparse = require("scipy.sparse")
        indptr = np.r_[0, np.cumsum(np.bincount(self.pattern, minlength=len(self.log_scale)))]
        self.matrix = sparse.csr_matrix((self.value, self.cell, indptr), shape=(len(self.log_scale), len(self.heard)))
        self.transpose = self.matrix.T          # CSC view: its product scatters, no copy needed


class Slots:
    """Where each (pair, heard AP) of a support looks up the radio, which does not depend on the radio: per
    slot k, the pairs [0, end_k) whose pattern has more than k APs (patterns are sorted by size), the flat
    index of their (AP, RSS level, log-distance bin) in a table laid out (APs, levels, bins), and of their
    (AP, cell) in an (APs, cells) array."""

    def __init__(self, shape, end, table_index, ap_cell):
        self.shape, self.end, self.table_index, self.ap_cell = shape, end, table_index, ap_cell

    @classmethod
    def of(cls, patterns, cells, levels, pattern, cell):
        """The Slots of the pairs (``pattern`` ascending, ``cell``)."""
        level = np.searchsorted(levels, np.nan_to_num(patterns.rss, nan=levels[0]))
        rows = np.maximum(patterns.ap, 0)
        base = np.ascontiguousarray(((rows * len(levels) + level) * cells.bins).T)     # (slots, patterns)
        offset = np.ascontiguousarray((rows * len(cells)).T)
        first_without = np.searchsorted(-patterns.size, -np.arange(patterns.ap.shape[1]), side="left")
        flat_bin = cells.bin.ravel()
        end, table_index, ap_cell = [], [], []
        for slot, first in enumerate(first_without):
            stop = int(np.searchsorted(pattern, first, side="left"))
            if stop == 0:
                break
            at = offset[slot][pattern[:stop]] + cell[:stop]
            end.append(stop)
            ap_cell.append(at)
            table_index.append(base[slot][pattern[:stop]] + flat_bin[at])
        return cls((cells.aps, len(levels), cells.bins), end, table_index, ap_cell)

    def subset(self, kept):
        """The Slots of the pairs where ``kept`` (a mask over the pairs, which keeps their order)."""
        return Slots(self.shape, [int(kept[:end].sum()) for end in self.end],
                     [index[kept[:end]] for end, index in zip(self.end, self.table_index)],
                     [at[kept[:end]] for end, at in zip(self.end, self.ap_cell)])

    def gather(self, values, compact=False):
        """Sum over the slots of each pair of ``values`` (flat, laid out as ``shape``; ``compact``: one value per
        entry of ``entries``)."""
        total = np.zeros(self.end[0] if self.end else 0)
        for end, index in zip(self.end, self.compact_index if compact else self.table_index):
            total[:end] += values[index]
        return total

    @property
    def entries(self):
        """The distinct table entries the slots look up (flat indices, ascending)."""
        self._compact()
        return self._entries

    @property
    def compact_index(self):
        """Per slot, the position of each pair's entry in ``entries``."""
        self._compact()
        return self._compact_index

    def _compact(self):
        if getattr(self, "_entries", None) is None:
            entries, inverse = np.unique(np.concatenate(self.table_index), return_inverse=True)
            self._entries = entries
            self._compact_index = np.split(inverse.ravel(), np.cumsum(self.end)[:-1])

    def weights(self, pair_weight):
        """The pair weights repeated for every slot, in the order of the concatenated indices."""
        return np.concatenate([pair_weight[:end] for end in self.end])

    @staticmethod
    def joined(parts):
        """The Slots of consecutive chunks of pairs (later chunks hold later patterns), as one."""
        slots = max(len(part.end) for part in parts)
        end, table_index, ap_cell = [], [], []
        for k in range(slots):
            pieces = [part for part in parts if len(part.end) > k]
            # chunks follow the pattern order, so the pairs with slot k stay a prefix of the joined pairs
            end.append(sum(part.end[k] for part in pieces))
            table_index.append(np.concatenate([part.table_index[k] for part in pieces]))
            ap_cell.append(np.concatenate([part.ap_cell[k] for part in pieces]))
        return Slots(parts[0].shape, end, table_index, ap_cell)


class _Lookup:
    """The radio's tables: per (AP, RSS level, log-distance bin) log(p K(r | mu)) - log(1 - p D(mu)), and per
    cell the sum over all APs of log(1 - p D(mu)); the noise widened by the spread across a cell. With
    ``entries`` (flat indices of the (AP, level, bin) table) only those are computed: a fixed support looks up
    a small part of the table, and the noise model is the costly part."""

    def __init__(self, patterns, cells, radio, entries=None):
        self.levels = np.unique(np.nan_to_num(patterns.rss, nan=patterns.rss[0, 0]))
        log_d = np.arange(cells.bins) * LOG_STEP
        mu = radio.mean(log_d)                                                          # (APs, bins)
        sigma = radio.spread(log_d, cells.grid.pixel)[0]
        miss = log_miss(mu, radio.floor[:, None], sigma, radio.width, radio.reception[:, None])[0]
        if entries is None:
            table = (log_report(self.levels[None, :, None], mu[:, None, :], sigma, radio.width)[0]
                     + np.log(np.maximum(radio.reception, 1e-300))[:, None, None] - miss[:, None, :])
            self.table = table.ravel()
        else:
            ap, rest = np.divmod(entries, len(self.levels) * cells.bins)
            level, b = np.divmod(rest, cells.bins)
            self.table = (log_report(self.levels[level], mu[ap, b], sigma[b], radio.width)[0]
                          + np.log(np.maximum(radio.reception[ap], 1e-300)) - miss[ap, b])
        self.cell_miss = np.take_along_axis(miss, cells.bin, axis=1).sum(axis=0)

    def log_values(self, slots, cell, compact=False):
        """log L_p(c) for the pairs of ``slots`` (``compact``: the table holds slots.entries only)."""
        log_value = self.cell_miss[cell]
        if slots.end:
            log_value[:slots.end[0]] += slots.gather(self.table, compact)
        return log_value


def pair_likelihood(patterns, cells, radio, keep=KEEP_SDS, support=None, progress=SILENT):
    """Pairs of ``patterns`` on ``cells`` at ``radio`` (radio.Radio): each pattern on the cells of its anchor
    AP's ring where its likelihood is within exp(-keep^2 / 2) of its largest, or on the cells of ``support``
    (earlier Pairs, whose support is kept)."""
    if support is not None:
        pattern, cell, slots = support.pattern, support.cell, support.slots
        lookup = _Lookup(patterns, cells, radio, slots.entries if slots.end else np.zeros(0, dtype=np.int64))
        log_value = lookup.log_values(slots, cell, compact=True)
        log_scale = np.full(len(patterns), -np.inf)
        start = np.flatnonzero(np.r_[True, pattern[1:] != pattern[:-1]])
        log_scale[pattern[start]] = np.maximum.reduceat(log_value, start)
        log_value -= log_scale[pattern]
    else:
        lookup = _Lookup(patterns, cells, radio)
        pattern, cell, log_value, log_scale, slots = _support(patterns, cells, radio, keep, lookup, progress)
    return Pairs(pattern, cell, np.exp(log_value), log_scale, -np.expm1(lookup.cell_miss), lookup.levels, slots,
                 radio)


def _support(patterns, cells, radio, keep, lookup, progress):
    """(pattern, cell, log L - log_scale, log_scale, Slots) on the cells within exp(-keep^2 / 2) of each pattern's
    best, among its anchor AP's ring of +- keep sigma, in chunks of about _CHUNK candidates."""
    # the ring's width: the noise widened by the spread across a cell two cells from the AP
    width = keep * radio.spread(np.log10(2.0 * cells.grid.pixel), cells.grid.pixel)[0]
    low, count = _anchor_ranges(patterns, cells, radio, width)
    log_scale = np.full(len(patterns), -np.inf)
    parts, first, total = [], 0, np.cumsum(count)
    while first < len(patterns):
        progress.step(first / len(patterns))
        done = total[first - 1] if first else 0
        last = min(max(first + 1, int(np.searchsorted(total, done + _CHUNK, side="right"))), len(patterns))
        p, c = _candidates(np.arange(first, last), low[first:last], count[first:last], cells)
        slots = Slots.of(patterns, cells, lookup.levels, p, c)
        log_value = lookup.log_values(slots, c)
        starts = np.r_[0, np.cumsum(count[first:last])[:-1]]
        log_scale[first:last] = np.maximum.reduceat(log_value, starts)
        kept = log_value >= log_scale[p] - 0.5 * keep * keep
        parts.append((p[kept], c[kept], log_value[kept] - log_scale[p[kept]], slots.subset(kept)))
        first = last
    pattern, cell, log_value = (np.concatenate([part[i] for part in parts]) for i in range(3))
    return pattern, cell, log_value, log_scale, Slots.joined([part[3] for part in parts])


def support_bound(patterns, cells, radio, keep=KEEP_SDS):
    """An upper bound of the pairs ``pair_likelihood`` would keep: the cells of every pattern's anchor ring."""
    return int(_anchor_ranges(patterns, cells, radio, keep * radio.sigma)[1].sum())


def _anchor_ranges(patterns, cells, radio, window):
    """Per pattern, the range of its anchor AP's distance-sorted cells (flat start, count) whose mean RSS is
    within ``window`` dB of the anchor's RSS; the anchor is the heard AP with the fewest such cells. A range
    that would be empty (RSS beyond what any cell can give) is slid to the nearest cells."""
    best_low = np.zeros(len(patterns), dtype=np.int64)
    best_count = np.full(len(patterns), np.iinfo(np.int64).max)
    size = len(cells)
    for slot in range(patterns.ap.shape[1]):
        ap = patterns.ap[:, slot]
        for row in np.unique(ap[ap >= 0]):
            which = np.flatnonzero(ap == row)
            rss = patterns.rss[which, slot]
            # the mean RSS falls with distance: mu <= rss + window is the near bound
            near = log_distance_from_rss(rss + window, radio.a, radio.n, radio.gains[row])
            far = log_distance_from_rss(rss - window, radio.a, radio.n, radio.gains[row])
            lo = np.searchsorted(cells.sorted_log_d[row], near, side="left")
            hi = np.searchsorted(cells.sorted_log_d[row], far, side="right")
            lo = np.minimum(lo, size - 1)
            hi = np.maximum(hi, lo + 1)
            better = hi - lo < best_count[which]
            best_low[which[better]] = row * size + lo[better]
            best_count[which[better]] = (hi - lo)[better]
    return best_low, best_count


def _candidates(rows, low, count, cells):
    """Flattened (pattern, cell) candidates: for each pattern row, ``count`` cells from flat position ``low``
    of the distance-sorted cells."""
    p = np.repeat(rows, count)
    offset = np.arange(int(count.sum())) - np.repeat(np.cumsum(count) - count, count)
    flat = np.repeat(low, count) + offset
    return p, cells.by_distance.ravel()[flat]


def mlem(pairs, patterns, cells, sieve, f, iterations, progress=SILENT):
    """List-mode MLEM on the sieve's coefficients f (coarse grid); returns (f, log-likelihood after each
    iteration, up to a constant)."""
    heard = cells.to_grid(pairs.heard)
    normaliser = sieve.adjoint(heard)
    usable = (normaliser > 0) & cells.mask
    history = np.zeros(iterations)
    count = patterns.count
    constant = dot(count, np.where(np.isfinite(pairs.log_scale), pairs.log_scale, 0.0))
    for iteration in range(iterations):
        progress.step(iteration / iterations)
        lam = sieve.forward(f).ravel()[cells.index]
        z = pairs.matrix @ lam
        ratio = np.divide(count, z, out=np.zeros_like(z), where=z > 0)
        history[iteration] = dot(count[z > 0], np.log(z[z > 0])) + constant - dot(lam, pairs.heard)
        back = pairs.transpose @ ratio
        f = np.where(usable, f * sieve.adjoint(cells.to_grid(back)) / np.where(usable, normaliser, 1.0), 0.0)
    return f, history


def log_likelihood(pairs, patterns, lam):
    """The window's log-likelihood sum_p count_p log Z_p - sum_c lambda_c S_c (up to a constant)."""
    z = pairs.matrix @ lam
    seen = z > 0
    return dot(patterns.count[seen], np.log(z[seen]) + pairs.log_scale[seen]) - dot(lam, pairs.heard)


def posterior_weights(pairs, patterns, lam):
    """Expected emissions of each pair: count_p lambda_c L_p(c) / Z_p."""
    weight = lam[pairs.cell] * pairs.value
    z = pairs.matrix @ lam
    return weight * np.divide(patterns.count, z, out=np.zeros_like(z), where=z > 0)[pairs.pattern]


def starting_density(pairs, patterns, cells):
    """Uniform sieve coefficients that explain the emissions seen: sum_c lambda_c S_c = emissions."""
    return cells.to_grid(np.full(len(cells), patterns.emissions / max(float(pairs.heard.sum()), 1e-300)))
