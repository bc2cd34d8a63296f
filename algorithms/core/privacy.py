"""Raw MAC addresses never leave the tool: detect them and replace them by a keyed hash."""
import hashlib
import hmac
import re

import numpy as np

from .errors import InputError

_RAW_MAC = re.compile(r"^[0-9A-Fa-f]{2}([:-]?)[0-9A-Fa-f]{2}(\1[0-9A-Fa-f]{2}){4}$")


def is_raw_mac(token):
    """True for a hardware address written as aa:bb:cc:dd:ee:ff, aa-bb-..., or 12 hex digits with separators."""
    text = str(token)
    return bool(_RAW_MAC.match(text)) and (":" in text or "-" in text)


def holds_raw_macs(tokens):
    """True when any token of the column looks like a raw MAC address."""
    return any(is_raw_mac(t) for t in np.unique(np.asarray(tokens, dtype=str)))


def hash_macs(tokens, secret):
    """HMAC-SHA256 of each normalised MAC (lower case, ':' separators) with ``secret``, as 16 hex digits.

    The same MAC gives the same token for the same secret, so occurrence counts are kept.
    """
    if not secret:
        raise InputError("The MAC field holds raw MAC addresses: give a SECRET so they can be hashed "
                         "(a keyed hash keeps them private), or hash them before loading.")
    key = str(secret).encode("utf-8")
    unique, inverse = np.unique(np.asarray(tokens, dtype=str), return_inverse=True)
    hashed = np.array([_hash_one(key, token) for token in unique], dtype=object)
    return hashed[inverse]


def _hash_one(key, token):
    normalised = token.lower().replace("-", ":") if is_raw_mac(token) else token
    return hmac.new(key, normalised.encode("utf-8"), hashlib.sha256).hexdigest()[:16]


def anonymise(tokens, secret):
    """Tokens unchanged if none is a raw MAC; otherwise every token hashed with ``secret``."""
    return hash_macs(tokens, secret) if holds_raw_macs(tokens) else np.asarray(tokens, dtype=object)
