"""RE2 versions of the validators of e-mail addresses, IP addresses and BICs, for matched tokens in bulk.

Each function takes an array of tokens of printable ASCII (tabs included: Engine._single_matches hands over
no other) and returns a bool mask EXACTLY equal to the scalar validator applied to each token with the same
options. ``TOKEN_VALIDATORS`` maps a scalar validator to its bulk version; the engine validates the tokens of
values with one match through it, and every other token through the scalar one. Tested token by token against
the scalar validators (tests/unit/test_token_validators.py).
"""

from __future__ import annotations

import string
from collections.abc import Callable, Mapping
from typing import Any

import numpy as np
import numpy.typing as npt
import pyarrow as pa
import pyarrow.compute as pc

from classifiers import validators
from classifiers.detectors import financial

Mask = npt.NDArray[np.bool_]
TokenValidator = Callable[[pa.Array, Mapping[str, Any]], Mask]

# validators.email, from its own regexes: a dot-atom local part (whose characters exclude "@"), then domain labels
# and a TLD; the lengths (local part 1-64 characters, at most 254 in all) are checked apart.
_EMAIL = (
    rf"^(?:{validators._EMAIL_LOCAL_RE.pattern})@"
    rf"(?:(?:{validators._DOMAIN_LABEL_RE.pattern})\.)+(?:{validators._TLD_RE.pattern})$"
)
# validators.ipv4: four dot-separated octets 0-255 without leading zeros.
_OCTET = r"(?:25[0-5]|2[0-4][0-9]|1[0-9][0-9]|[1-9][0-9]|[0-9])"
_IPV4 = rf"^{_OCTET}\.{_OCTET}\.{_OCTET}\.{_OCTET}$"
_IPV4_RESERVED = pa.array(["0.0.0.0", "255.255.255.255"])
# financial.bic_iso9362: _BIC_RE's layout with a real country code in its first group; an all-letter code also
# needs a doubled letter or no vowel in its location code (characters 7 and 8).
_BIC = "^" + financial._BIC_RE.pattern.replace("([A-Z]{2})", financial._BIC_COUNTRY, 1) + "$"
_BIC_LOCATION = (
    "^.{6}(?:" + "|".join(c * 2 for c in string.ascii_uppercase) + f"|[^{''.join(sorted(financial._VOWELS))}]{{2}})"
)


def _matches(tokens: pa.Array, regex: str) -> Mask:
    return np.asarray(pc.match_substring_regex(tokens, regex).to_numpy(zero_copy_only=False), dtype=bool)


def email(tokens: pa.Array, options: Mapping[str, Any]) -> Mask:
    """validators.email in bulk: the layout by regex, the local part's and the whole token's lengths apart."""
    lengths = pc.utf8_length(tokens).to_numpy(zero_copy_only=False)
    local_lengths = pc.find_substring(tokens, "@").to_numpy(zero_copy_only=False)
    valid: Mask = _matches(tokens, _EMAIL) & (lengths <= 254) & (local_lengths <= 64)
    return valid


def ip_address(tokens: pa.Array, options: Mapping[str, Any]) -> Mask:
    """IPv4 in bulk; a token with a colon (IPv6) goes to the scalar validator, as few do."""
    valid: Mask = _matches(tokens, _IPV4) & ~pc.is_in(tokens, _IPV4_RESERVED).to_numpy(zero_copy_only=False)
    for row in np.flatnonzero(pc.match_substring(tokens, ":").to_numpy(zero_copy_only=False)).tolist():
        valid[row] = validators.ipv6(tokens[row].as_py(), options)
    return valid


def bic_iso9362(tokens: pa.Array, options: Mapping[str, Any]) -> Mask:
    """financial.bic_iso9362 in bulk."""
    letters_only = _matches(tokens, r"^[A-Za-z]+$")
    return _matches(tokens, _BIC) & (~letters_only | _matches(tokens, _BIC_LOCATION))


TOKEN_VALIDATORS: dict[Callable[..., bool], TokenValidator] = {
    validators.email: email,
    validators.ip_address: ip_address,
    financial.bic_iso9362: bic_iso9362,
}
