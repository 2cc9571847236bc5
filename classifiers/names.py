"""Person names in structured columns without NER: name dictionaries and a vectorized name-shape test.

The dictionaries are the first and last name lists that Faker ships for eleven locales (MIT licensed,
installed from PyPI with the package; nothing is downloaded at run time). A value reads as a full name when
it has two to four words in title or upper case without digits, its first word is a known first name and
its last word a known name; a single known name counts only in a column whose name says it holds names.
"""

from __future__ import annotations

import importlib
from dataclasses import dataclass
from functools import lru_cache

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from classifiers.arrow_buffers import few_distinct, offsets_and_data, through_distinct

LOCALES = ("en_US", "en_GB", "en_IN", "de_DE", "fr_FR", "es_ES", "it_IT", "nl_NL", "pl_PL", "sv_SE", "pt_BR")
PUNCTUATION = ".,;:'\"()"  # trimmed from words before they are looked up
FULL_NAME_SCORE = 0.5  # a full name in title case is fairly specific; 100 % of a column reaches the threshold
SINGLE_NAME_SCORE = 0.4  # a lone name ("Rose", "Paris") only ever counts under a name column hint


@dataclass(frozen=True)
class NameDictionary:
    """Lower-case first names, and every known first or last name."""

    first: pa.Array
    any: pa.Array


@lru_cache(maxsize=1)
def faker_names() -> NameDictionary:
    """The name dictionary built from Faker's person providers (loaded once per process)."""
    first: set[str] = set()
    last: set[str] = set()
    for locale in LOCALES:
        provider = importlib.import_module(f"faker.providers.person.{locale}").Provider
        for attribute, target in (
            ("first_names", first),
            ("first_names_male", first),
            ("first_names_female", first),
            ("last_names", last),
            ("last_names_male", last),
            ("last_names_female", last),
            ("male_last_names", last),
            ("female_last_names", last),
            ("unisex_last_names", last),
        ):
            names = getattr(provider, attribute, ())
            target.update(name.lower() for name in (names.keys() if hasattr(names, "keys") else names))
    return NameDictionary(pa.array(sorted(first)), pa.array(sorted(first | last)))


def name_mask(strings: pa.Array, dictionary: NameDictionary, single_names: bool) -> tuple[np.ndarray, np.ndarray]:
    """Per value: whether it reads as a person's name, and whether it is shaped like one (a candidate).

    ``single_names`` lets a lone known name count (for columns named ``first_name``, ``surname`` ...).
    """
    count = len(strings)
    matched = np.zeros(count, dtype=bool)
    # The cheapest test first, on each value's first byte alone: a value that starts with a lower-case letter is
    # neither title nor upper case, and one that starts with a digit or code punctuation fails the character test
    # of _name_mask. Most ids, amounts, timestamps, codes and words end here.
    rows = np.flatnonzero(_may_start_a_name(strings))
    candidates = np.zeros(count, dtype=bool)
    if rows.size == 0:
        return matched, candidates
    remaining = strings.take(pa.array(rows))

    # Columns of few distinct values (countries, statuses, codes) are looked at once per distinct value.
    def shaped(values: pa.Array) -> tuple[np.ndarray, ...]:
        return _name_mask(values, dictionary, single_names)

    matched[rows], candidates[rows] = (
        through_distinct(remaining, shaped) if few_distinct(remaining) else shaped(remaining)
    )
    return matched, candidates


def _name_mask(strings: pa.Array, dictionary: NameDictionary, single_names: bool) -> tuple[np.ndarray, np.ndarray]:
    """name_mask for values that passed its first-byte test."""
    count = len(strings)
    matched = np.zeros(count, dtype=bool)
    # Anything with digits or code punctuation is no name. pyarrow's case tests are slow on long strings, so they
    # only see what is left.
    plain = np.flatnonzero(
        pc.invert(pc.match_substring_regex(strings, r"[0-9@/_:#=<>]")).to_numpy(zero_copy_only=False)
    )
    if plain.size == 0:
        return matched, matched.copy()
    remaining = strings.take(pa.array(plain))
    cased = pc.or_(pc.utf8_is_title(remaining), pc.utf8_is_upper(remaining)).to_numpy(zero_copy_only=False)
    rows = plain[cased]
    if rows.size == 0:
        return matched, matched.copy()
    # Dictionary look-ups only for the values shaped like names: ids, amounts and timestamps stop above.
    words = pc.utf8_split_whitespace(pc.utf8_lower(strings.take(pa.array(rows))))
    lengths = pc.list_value_length(words).to_numpy(zero_copy_only=False)
    flat = pc.utf8_trim(pc.list_flatten(words), PUNCTUATION)
    offsets = words.offsets.to_numpy(zero_copy_only=False)
    # Hyphenated names: the first part of "Jean-Luc" is a first name, the last part of "Smith-Jones" a surname.
    first_parts = pc.replace_substring_regex(flat, r"-.*$", "")
    last_parts = pc.replace_substring_regex(flat, r"^.*-", "")
    in_first = pc.is_in(first_parts, value_set=dictionary.first).to_numpy(zero_copy_only=False)
    in_any = pc.is_in(last_parts, value_set=dictionary.any).to_numpy(zero_copy_only=False)
    sized = (lengths >= 1) & (lengths <= 4)
    first_known = np.zeros(rows.size, dtype=bool)
    last_known = np.zeros(rows.size, dtype=bool)
    has_words = lengths > 0
    first_known[has_words] = in_first[offsets[:-1][has_words]]
    last_known[has_words] = in_any[offsets[1:][has_words] - 1]
    full = sized & (lengths >= 2) & first_known & last_known
    single = sized & (lengths == 1) & last_known if single_names else np.zeros(rows.size, dtype=bool)
    matched[rows] = full | single
    candidates = np.zeros(count, dtype=bool)
    candidates[rows] = sized
    return matched, candidates


# First bytes that no name-shaped value starts with: lower-case letters (neither title nor upper case follows), and
# the digits and code punctuation that the character test of name_mask rejects anywhere in a value.
_NOT_A_NAME_START = np.zeros(256, dtype=bool)
_NOT_A_NAME_START[np.frombuffer(b"abcdefghijklmnopqrstuvwxyz0123456789@/_:#=<>", dtype=np.uint8)] = True


def _may_start_a_name(strings: pa.Array) -> np.ndarray:
    """Per value: False where its first byte alone rules out a name, or where it is null (empty values are kept)."""
    offsets, data = offsets_and_data(strings)
    starts, ends = offsets[:-1], offsets[1:]
    may = np.ones(len(strings), dtype=bool)
    present = ends > starts
    may[present] = ~_NOT_A_NAME_START[data[starts[present]]]
    if strings.null_count:
        may &= pc.is_valid(strings).to_numpy(zero_copy_only=False)
    return may


def mask_name(value: str) -> str:
    """Keep each word's initial: ``Jane Doe`` -> ``J*** D**``."""
    return " ".join(word[:1] + "*" * (len(word) - 1) for word in value.split())
