"""The vectorized detection engine over Arrow arrays.

One pass per batch:

1. a single RE2 alternation of every enabled pattern marks candidate values (pyarrow.compute, in C++);
2. each pattern then runs, still vectorized, over the candidates only, group-tested: an alternation of a few
   patterns first, each of them only where it matched (pure-digit values are validated in bulk here);
3. Python runs only on values that some pattern hit: it extracts every match, runs validators, resolves
   overlaps between entity types, checks context, and adds the evidence to a ColumnTally.

Clean data therefore costs one vectorized regex pass; Python work is proportional to the candidates.
"""

from __future__ import annotations

import hashlib
import importlib
import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import NamedTuple

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from classifiers.arrow_buffers import few_distinct, offsets_and_data, through_distinct
from classifiers.columns import normalise_column_name
from classifiers.config import DetectionConfig
from classifiers.detector import Detector
from classifiers.fingerprints import Fingerprinter
from classifiers.names import FULL_NAME_SCORE, SINGLE_NAME_SCORE, faker_names, name_mask
from classifiers.tally import MAX_TRACKED_DISTINCT, ColumnTally, EntityTally
from classifiers.text_analysis import (
    PRESIDIO_ENTITIES,
    Span,
    is_known_name,
    is_prose,
    ner_candidates,
    reads_as_place,
    text_analyzer,
)
from classifiers.token_validators import TOKEN_VALIDATORS
from classifiers.vector_validators import VECTOR_VALIDATORS, VectorValidator, digit_matrices


@dataclass(frozen=True)
class _CompiledPattern:
    detector_index: int
    name: str
    regex: str
    compiled: re.Pattern[str]
    score: float


@dataclass(frozen=True)
class _ColumnPlan:
    """Which patterns run unconditionally for a column, and which only where a keyword is present."""

    prefilter: str
    unconditional: tuple[int, ...]  # pattern indexes
    keyword_gated: tuple[int, ...]  # detector indexes whose patterns run only on values with a keyword
    pattern_groups: tuple[tuple[int, ...], ...]  # the unconditional patterns in runs for group testing
    whole_value_validated: frozenset[int]  # unconditional patterns that _reject_invalid_digit_values validates


@dataclass
class _PreparedColumn:
    """One column's batch in Engine.scan_columns once its per-column steps before the regex passes ran."""

    strings: pa.Array  # its non-empty values
    tally: ColumnTally
    hinted: frozenset[str]  # hinted by name or profile
    excluded: frozenset[str]
    plan: _ColumnPlan
    accepted: dict[int, set[str]]  # value index -> entity types accepted in it (filled by _scan_patterns)


class _OneMatch(NamedTuple):
    """The one match of a value (Engine._single_matches): its span and, if known already, its validity."""

    start: int
    end: int
    valid: bool | None  # None: the detector's validator decides


class _Match(NamedTuple):
    start: int
    end: int
    detector_index: int
    pattern: _CompiledPattern
    token: str


class Engine:
    """Runs the enabled detectors of a DetectionConfig over Arrow arrays and accumulates ColumnTally evidence.

    Build one per worker process (compiling is cheap but not free) and reuse it for every batch. Hand it
    large batches (tens of thousands of values): pyarrow compiles the candidate regex once per call, and
    with every detector enabled that compilation costs more than scanning a few thousand values. Several
    columns of a table go through one ``scan_columns`` call, which shares those compilations between them.
    """

    def __init__(
        self,
        config: DetectionConfig,
        hash_key: bytes = b"",
        fast_paths: bool = True,
        fingerprinter: Fingerprinter | None = None,
    ) -> None:
        """Compile ``config``'s detectors; ``hash_key`` keys the in-memory hashes of matched values.

        The scan job passes a random key per run, so the hashes that travel between Spark tasks (and may
        touch shuffle files on local disk) cannot be matched against guessed values after the run.
        ``fast_paths=False`` turns off the vectorized shortcuts for pure-digit values (_patterns_per_candidate) and
        for values of one match (_single_matches), which never change a tally: tests compare both. With a
        ``fingerprinter`` every tally also keeps the keyed fingerprints of its matched values
        (classifiers/fingerprints.py).
        """
        self.config = config
        self._hash_key = hash_key
        self._fingerprinter = fingerprinter
        self.detectors: tuple[Detector, ...] = config.detectors
        self._patterns = tuple(
            _CompiledPattern(i, f"{d.entity_type}.{p.name}", p.regex, re.compile(p.regex, re.ASCII), p.score)
            for i, d in enumerate(self.detectors)
            for p in d.patterns
        )
        self._plans: dict[tuple[frozenset[str], frozenset[str]], _ColumnPlan] = {}
        self._keywords = tuple(_keyword_regex(d.keywords) for d in self.detectors)
        self._keywords_py = tuple(re.compile(k, re.IGNORECASE) if k else None for k in self._keywords)
        self._exclusion_words = tuple(
            re.compile(rf"{_keyword_regex(d.exclusion_keywords)}[\s=:#]{{0,3}}$", re.IGNORECASE)
            if d.exclusion_keywords
            else None
            for d in self.detectors
        )
        self._allow_list = config.allow_list
        self._hints = tuple(tuple(re.compile(h) for h in d.column_hints) for d in self.detectors)
        self._exclusions = tuple(tuple(re.compile(x) for x in d.column_exclusions) for d in self.detectors)
        self._profilers = tuple(
            (d, tuple(re.compile(p.regex, re.ASCII) for p in d.patterns)) for d in self.detectors if d.column_profile
        )
        self._hinted_cache: dict[str, frozenset[str]] = {}
        self._excluded_cache: dict[str, frozenset[str]] = {}
        self._fast_paths = fast_paths
        self._vector_validators = self._digit_fast_path_validators() if fast_paths else {}
        # Detectors whose keywords all hold a character other than 0-9: no pure-digit value holds one of them.
        self._keywords_need_non_digit = frozenset(
            index for index, regex in enumerate(self._keywords) if fast_paths and regex and _needs_non_digit(regex)
        )
        # Pattern index -> (min, max) length of a pure-digit value it can match: (1, 0), none, for a pattern that
        # needs a character other than 0-9; the width of a whole-value pattern. Other patterns are not listed.
        self._digit_lengths: dict[int, tuple[int, int]] = {}
        for index, pattern in enumerate(self._patterns if fast_paths else ()):
            width = (1, 0) if _needs_non_digit(pattern.regex) else _whole_value_width(pattern.regex)
            if width is not None:
                self._digit_lengths[index] = width
        # Patterns whose matches RE2 can find for _single_matches: never empty, no group of their own.
        self._single_match_patterns = frozenset(
            index
            for index, pattern in enumerate(self._patterns if fast_paths else ())
            if pattern.compiled.groups == 0 and _min_width(pattern.regex) > 0
        )

    def hinted_entities(self, column: str | None) -> frozenset[str]:
        """Entity types whose column-name hints match ``column`` (after normalisation) and that it does not exclude."""
        if column is None:
            return frozenset()
        cached = self._hinted_cache.get(column)
        if cached is None:
            normalised = normalise_column_name(column)
            cached = frozenset(
                detector.entity_type
                for detector, hints in zip(self.detectors, self._hints, strict=True)
                if any(hint.search(normalised) for hint in hints)
            ) - self.excluded_entities(column)
            self._hinted_cache[column] = cached
        return cached

    def excluded_entities(self, column: str | None) -> frozenset[str]:
        """Entity types whose column exclusions match ``column``: they do not run on it."""
        if column is None:
            return frozenset()
        cached = self._excluded_cache.get(column)
        if cached is None:
            normalised = normalise_column_name(column)
            cached = frozenset(
                detector.entity_type
                for detector, exclusions in zip(self.detectors, self._exclusions, strict=True)
                if any(exclusion.search(normalised) for exclusion in exclusions)
            )
            self._excluded_cache[column] = cached
        return cached

    def candidate_regex(self, column: str | None) -> str:
        """The RE2 alternation that marks candidate values in a column of this name (the vectorized pass)."""
        return self._column_plan(self.hinted_entities(column), self.excluded_entities(column)).prefilter

    def scan(self, values: pa.Array | pa.ChunkedArray, tally: ColumnTally) -> None:
        """Scan one batch of values (a column, or lines of text) and add the evidence to ``tally``.

        Non-string arrays are cast to strings; nulls and empty strings are not counted as values. Free text
        (text objects, prose columns) then goes to Presidio and NER within their budget (_analyse_text).
        """
        self.scan_columns([(values, tally)])

    def scan_columns(self, columns: Sequence[tuple[pa.Array | pa.ChunkedArray, ColumnTally]]) -> None:
        """Scan one batch of each of several columns; each tally ends exactly as after ``scan`` per column in turn.

        Every per-column step (cast, null filter, counts, hints, dictionaries, profiles, text analysis) still
        runs per column; only the regex passes are shared: the columns with the same _ColumnPlan are concatenated
        and each regex runs once over them. pyarrow compiles the RE2 pattern of every call, and the candidate
        alternation alone costs milliseconds to compile, so a table of many short columns scanned column by
        column spent most of its time compiling. A tally given twice gets its batches in order (in rounds).
        """
        batch: list[tuple[pa.Array | pa.ChunkedArray, ColumnTally]] = []
        in_batch: set[int] = set()
        for values, tally in columns:
            if id(tally) in in_batch:
                self._scan_batch(batch)
                batch, in_batch = [], set()
            batch.append((values, tally))
            in_batch.add(id(tally))
        if batch:
            self._scan_batch(batch)

    def _scan_batch(self, columns: Sequence[tuple[pa.Array | pa.ChunkedArray, ColumnTally]]) -> None:
        """scan_columns over columns with distinct tallies."""
        prepared = [column for values, tally in columns if (column := self._prepare(values, tally)) is not None]
        groups: dict[_ColumnPlan, list[_PreparedColumn]] = {}
        for column in prepared:
            if column.plan.prefilter:
                groups.setdefault(column.plan, []).append(column)
        for plan, members in groups.items():
            for chunk in _chunks(members):
                self._scan_patterns(plan, chunk)
        for column in prepared:
            if self.config.text.enabled and (column.tally.column is None or is_prose(column.strings)):
                self._analyse_text(column.strings, column.accepted, column.tally, column.excluded)

    def _prepare(self, values: pa.Array | pa.ChunkedArray, tally: ColumnTally) -> _PreparedColumn | None:
        """The per-column steps before the regex passes; None for a batch without non-empty values."""
        strings = _non_empty(as_strings(values))
        seen = len(strings)
        if seen == 0:
            return None
        tally.values_seen += seen
        hinted = self.hinted_entities(tally.column)
        tally.column_hints |= hinted
        excluded = self.excluded_entities(tally.column)
        if tally.column is not None:
            self._scan_dictionaries(strings, tally, hinted, excluded)
            tally.column_profiles |= self._profiled_entities(strings, hinted | tally.column_profiles, excluded)
            hinted = hinted | tally.column_profiles
        return _PreparedColumn(strings, tally, hinted, excluded, self._column_plan(hinted, excluded), {})

    def _profiled_entities(self, strings: pa.Array, known: frozenset[str], excluded: frozenset[str]) -> set[str]:
        """Entity types whose content alone identifies this column (Detector.column_profile).

        The first PROFILE_SAMPLE values must be varied, and at least PROFILE_SHARE of them must match one of the
        detector's patterns in full and pass its validator. A detector that fails the first value is skipped,
        so an ordinary column costs one full-match test per profiling detector and batch.
        """
        if len(strings) < PROFILE_MIN_VALUES or not self._profilers:
            return set()
        sample = [value.strip() for value in strings.slice(0, PROFILE_SAMPLE).to_pylist()]
        if len(set(sample)) < PROFILE_MIN_VALUES // 2:
            return set()
        found: set[str] = set()
        for detector, patterns in self._profilers:
            if detector.entity_type in known or detector.entity_type in excluded:
                continue
            if not any(pattern.fullmatch(sample[0]) for pattern in patterns):
                continue
            assert detector.validate is not None  # Detector requires one for column_profile
            passing = sum(
                1
                for value in sample
                if any(pattern.fullmatch(value) for pattern in patterns) and detector.validate(value, detector.options)
            )
            if passing >= PROFILE_SHARE * len(sample):
                found.add(detector.entity_type)
        return found

    def _scan_patterns(self, plan: _ColumnPlan, columns: Sequence[_PreparedColumn]) -> None:
        """The regex detectors over columns sharing ``plan``, each regex pass over their concatenation at once.

        Fills each column's ``accepted``: per value index, the entity types accepted in it. Every regex mask is
        per value, so a value's mask is the same in the concatenation as in its column alone; the Python work
        after the masks then runs per value, in column order, with that value's column tally and hints.
        """
        parts = [column.strings for column in columns]
        strings = parts[0] if len(parts) == 1 else pa.concat_arrays(parts)
        starts = np.cumsum([0] + [len(part) for part in parts])
        rows = np.flatnonzero(_matches(strings, parts, plan.prefilter))
        if rows.size == 0:
            return
        column_of = np.searchsorted(starts, rows, side="right") - 1
        candidates = strings.take(pa.array(rows))
        keyword_hits: dict[int, np.ndarray] = {}
        tallies = [column.tally for column in columns]
        per_value, digits_only = self._patterns_per_candidate(candidates, plan, keyword_hits, tallies, column_of)
        hit_rows = sorted(per_value)
        if not hit_rows:
            return
        hit_values = candidates.take(pa.array(hit_rows, type=pa.int64()))
        texts: list[str] = hit_values.to_pylist()
        # RE2 marks every value where Python's _SHADOWS can match (its ASCII \b is the looser), far faster than Python
        # can look: _tally_value looks for the shadows only there.
        shadowed: list[bool] = (
            pc.match_substring_regex(hit_values, _SHADOWS.pattern).to_numpy(zero_copy_only=False).tolist()
        )
        hit = np.array(hit_rows, dtype=np.int64)
        # Python lists: indexing numpy arrays one element at a time costs more than the rest of a simple row.
        column_indexes = column_of[hit].tolist()
        positions = (rows[hit] - starts[column_of[hit]]).tolist()
        patterns_hit = [per_value[row] for row in hit_rows]
        single = self._single_matches(
            hit_values, texts, patterns_hit, shadowed, digits_only[hit].tolist(), plan.whole_value_validated
        )
        for row, text, index, position, may_shadow, indexes, match in zip(
            hit_rows, texts, column_indexes, positions, shadowed, patterns_hit, single, strict=True
        ):
            column = columns[index]
            if match is not None:
                found = self._accept_single_match(text, match, indexes[0], keyword_hits, row, column)
            else:
                found = self._tally_value(text, indexes, keyword_hits, row, column.hinted, column.tally, may_shadow)
            if found:
                column.accepted[position] = found

    def _analyse_text(
        self, strings: pa.Array, accepted: dict[int, set[str]], tally: ColumnTally, excluded: frozenset[str]
    ) -> None:
        """Presidio on free text, within the per-column budget (``presidio.max_values``).

        Presidio scores the entity types the engine accepted where it knows them too, and (with a spaCy
        model) adds NER matches (PERSON, LOCATION) in the values the vectorized prescreen marks.
        """
        budget = self.config.text.max_values - tally.analysed_values
        if budget <= 0:
            return
        analyzer = text_analyzer(self.config.text)
        if analyzer is None:
            return
        wanted = {row: {t for t in types if t in PRESIDIO_ENTITIES} for row, types in accepted.items()}
        # Presidio's score is a mean: a sample of the accepted values gives it; the rest of the budget is NER's.
        queue = [row for row in sorted(wanted) if wanted[row]][: min(budget, PRESIDIO_SCORE_SAMPLE)]
        ner = [d for d in self.detectors if d.ner_entity is not None and d.entity_type not in excluded]
        if analyzer.ner and ner and len(queue) < budget:
            queued = set(queue)
            extra = [int(r) for r in ner_candidates(strings, faker_names()) if int(r) not in queued]
            queue = sorted(queue + extra[: budget - len(queue)])
        if not queue:
            return
        presidio_names = {PRESIDIO_ENTITIES[t] for row in queue for t in wanted.get(row, ())}
        presidio_names |= {d.ner_entity for d in ner if d.ner_entity is not None} if analyzer.ner else set()
        texts: list[str] = strings.take(pa.array(queue)).to_pylist()
        results = analyzer.analyze(texts, sorted(presidio_names))
        tally.analysed_values += len(texts)
        for row, text, spans in zip(queue, texts, results, strict=True):
            for entity_type in wanted.get(row, ()):
                name = PRESIDIO_ENTITIES[entity_type]
                entity = tally.entity(entity_type)
                entity.presidio_values += 1
                entity.presidio_score_sum += max((s.score for s in spans if s.entity_type == name), default=0.0)
            if analyzer.ner:
                for detector in ner:
                    self._record_ner(detector, text, [s for s in spans if s.entity_type == detector.ner_entity], tally)

    def _record_ner(self, detector: Detector, text: str, spans: list[Span], tally: ColumnTally) -> None:
        """NER spans of one value as matches of ``detector``.

        A PERSON span must hold a dictionary name and must not follow a word that introduces a place.
        """
        if not spans:
            return
        entity = tally.entity(detector.entity_type)
        entity.candidates += len(spans)
        kept = spans
        if detector.dictionary is not None:
            names = faker_names()
            kept = [
                s for s in spans if not reads_as_place(text, s.start) and is_known_name(text[s.start : s.end], names)
            ]
        entity.validated += len(kept)
        kept = [s for s in kept if not self._allow_list.allows(text[s.start : s.end])]
        if not kept:
            return
        entity.matched_values += 1
        entity.occurrences += len(kept)
        entity.presidio_values += 1
        entity.presidio_score_sum += max(s.score for s in kept)
        for span in kept:
            self._record_match(
                entity, detector, text[span.start : span.end], f"{detector.entity_type}.ner", detector.ner_score
            )

    def _scan_dictionaries(
        self, strings: pa.Array, tally: ColumnTally, hinted: frozenset[str], excluded: frozenset[str]
    ) -> None:
        """Whole-value dictionary detectors (person names) on structured columns; free text needs NER."""
        for detector in self.detectors:
            if detector.dictionary is None or detector.entity_type in excluded:
                continue
            single = detector.entity_type in hinted
            matched, shaped = name_mask(strings, detector.dictionary(), single_names=single)
            candidates = int(shaped.sum())
            if candidates == 0:
                continue
            entity = tally.entity(detector.entity_type)
            entity.candidates += candidates
            hits = np.flatnonzero(matched)
            entity.validated += len(hits)
            if len(hits) == 0:
                continue
            names: list[str] = strings.take(pa.array(hits)).to_pylist()
            entity.matched_values += len(names)
            entity.occurrences += len(names)
            for name in names:
                full = len(name.split()) > 1
                pattern = f"{detector.entity_type}.{'full_name' if full else 'single_name'}"
                self._record_match(entity, detector, name, pattern, FULL_NAME_SCORE if full else SINGLE_NAME_SCORE)

    def _column_plan(self, hinted: frozenset[str], excluded: frozenset[str] = frozenset()) -> _ColumnPlan:
        """The passes for a column with these hinted and excluded entities (cached per combination).

        A detector that requires context and is not hinted by the column name can only count where one of
        its keywords is in the value, so the candidate pass looks for its keywords instead of its (often
        generic) patterns, and its patterns run only on the values that hold a keyword. Without that, a
        keyword-only detector for 8-17 digit account numbers would make every numeric value a candidate.
        """
        plan = self._plans.get((hinted, excluded))
        if plan is None:
            unconditional: list[int] = []
            gated: list[int] = []
            alternatives: list[str] = []
            for index, detector in enumerate(self.detectors):
                if detector.entity_type in excluded:
                    continue
                own = [i for i, p in enumerate(self._patterns) if p.detector_index == index]
                if not detector.requires_context or detector.entity_type in hinted:
                    unconditional.extend(own)
                    alternatives.extend(f"(?:{self._patterns[i].regex})" for i in own)
                elif self._keywords[index] is not None:
                    gated.append(index)
                    alternatives.append(f"(?i:{self._keywords[index]})")
            groups = tuple(
                tuple(unconditional[i : i + PATTERN_GROUP]) for i in range(0, len(unconditional), PATTERN_GROUP)
            )
            validated = frozenset(unconditional) & frozenset(self._vector_validators)
            plan = _ColumnPlan("|".join(alternatives), tuple(unconditional), tuple(gated), groups, validated)
            self._plans[(hinted, excluded)] = plan
        return plan

    def _patterns_per_candidate(
        self,
        candidates: pa.Array,
        plan: _ColumnPlan,
        keyword_hits: dict[int, np.ndarray],
        tallies: Sequence[ColumnTally],
        column_of: np.ndarray,
    ) -> tuple[dict[int, list[int]], np.ndarray]:
        """Candidate row -> the pattern indexes that match it; and which candidates are pure-digit values.

        ``column_of`` gives the index in ``tallies`` of each candidate's column. Rows without a match have no
        entry (most candidates of an id column once _reject_invalid_digit_values dropped them). Fills
        ``keyword_hits`` for the keyword-gated detectors and the detectors that match (_add_keyword_hits).
        """
        per_value: dict[int, list[int]] = {}
        # Values of ASCII digits only (most values of id columns): a pattern that needs another character skips them,
        # and the whole-value patterns validate them in bulk (_reject_invalid_digit_values).
        digits_only = np.zeros(len(candidates), dtype=bool)
        if self._fast_paths:
            digits_only = pc.match_substring_regex(candidates, r"^[0-9]{1,31}$").to_numpy(zero_copy_only=False)
        has_digits_only = bool(digits_only.any())
        others = candidates.filter(pa.array(~digits_only)) if has_digits_only else candidates
        # A whole-value pattern matches a pure-digit value only if its length is within the pattern's widths
        # (_whole_value_width): it runs over the other candidates and the pure-digit ones of a possible length.
        lengths = np.zeros(len(candidates), dtype=np.int64)
        if has_digits_only:
            lengths = np.asarray(pc.binary_length(candidates).to_numpy(zero_copy_only=False), dtype=np.int64)
        digit_lengths = np.unique(lengths[digits_only]).tolist()
        subsets: dict[tuple[int, ...], np.ndarray] = {}

        def selection(index: int) -> np.ndarray | None:
            """The candidates pattern ``index`` can match (None: all of them)."""
            if not has_digits_only or index not in self._digit_lengths:
                return None
            low, high = self._digit_lengths[index]
            possible = tuple(length for length in digit_lengths if low <= length <= high)
            if len(possible) == len(digit_lengths):
                return None
            if possible not in subsets:
                subsets[possible] = ~digits_only | np.isin(lengths, possible)
            return subsets[possible]

        pattern_hits = self._group_tested(
            candidates, [[(i, self._patterns[i].regex, selection(i)) for i in group] for group in plan.pattern_groups]
        )
        self._reject_invalid_digit_values(candidates, digits_only, pattern_hits, tallies, column_of)
        for index, mask in pattern_hits.items():
            for row in np.flatnonzero(mask).tolist():
                per_value.setdefault(row, []).append(index)
        for detector_index, hits in self._gated_keyword_hits(candidates, plan, digits_only).items():
            keyword_hits[detector_index] = hits
            rows = np.flatnonzero(hits)
            if rows.size == 0:
                continue
            subset = candidates.take(pa.array(rows))
            for index, pattern in enumerate(self._patterns):
                if pattern.detector_index == detector_index:
                    mask = pc.match_substring_regex(subset, pattern.regex).to_numpy(zero_copy_only=False)
                    for row in rows[np.flatnonzero(mask)].tolist():
                        per_value.setdefault(row, []).append(index)
        self._add_keyword_hits(candidates, per_value, keyword_hits, digits_only, others)
        return per_value, digits_only

    def _group_tested(
        self,
        candidates: pa.Array,
        groups: Sequence[Sequence[tuple[int, str, np.ndarray | None]]],
        ignore_case: bool = False,
    ) -> dict[int, np.ndarray]:
        """Key -> which candidates its regex matches, for every ``(key, regex, selection)`` of ``groups``.

        A selection is the candidates that regex can match (None: all of them). One pass of the group's alternation
        over the candidates any member can match finds where some member matches; each member then runs only there.
        A value matches an alternation exactly where it matches one of its members, so the masks are those of one
        pass per regex, at a fraction of the passes: most candidates match one or two regexes of the dozens that
        run on them.
        """
        hits: dict[int, np.ndarray] = {}
        everything = np.ones(len(candidates), dtype=bool)
        for group in groups:
            for key, _, _ in group:
                hits[key] = np.zeros(len(candidates), dtype=bool)
            narrowed = [selected for _, _, selected in group if selected is not None]
            scope = everything if len(narrowed) < len(group) else np.logical_or.reduce(narrowed)
            if not scope.any():
                continue
            rows = np.flatnonzero(scope)
            if len(group) > 1:
                subset = candidates if rows.size == len(candidates) else candidates.take(pa.array(rows))
                alternation = "|".join(f"(?:{regex})" for _, regex, _ in group)
                found = pc.match_substring_regex(subset, alternation, ignore_case=ignore_case)
                rows = rows[found.to_numpy(zero_copy_only=False)]
            for key, regex, selected in group:
                own = rows if selected is None else rows[selected[rows]]
                if own.size == 0:
                    continue
                subset = candidates if own.size == len(candidates) else candidates.take(pa.array(own))
                found = pc.match_substring_regex(subset, regex, ignore_case=ignore_case)
                hits[key][own[found.to_numpy(zero_copy_only=False)]] = True
        return hits

    def _gated_keyword_hits(
        self, candidates: pa.Array, plan: _ColumnPlan, digits_only: np.ndarray
    ) -> dict[int, np.ndarray]:
        """Detector index -> which candidates hold one of its keywords, for the plan's keyword-gated detectors.

        All their keywords form one group (_group_tested): most candidates hold none, and then no detector's own
        pass runs. Pure-digit values hold no keyword that has another character: such keywords skip them.
        """
        not_digits = ~digits_only if digits_only.any() else None
        group = [
            (index, keywords, not_digits if index in self._keywords_need_non_digit else None)
            for index in plan.keyword_gated
            if (keywords := self._keywords[index]) is not None
        ]
        return self._group_tested(candidates, [group], ignore_case=True)

    def _keyword_mask(
        self, candidates: pa.Array, detector_index: int, digits_only: np.ndarray, others: pa.Array
    ) -> np.ndarray:
        """Which candidates hold a keyword of the detector (``others``: the candidates not ``digits_only``)."""
        regex = self._keywords[detector_index]
        assert regex is not None  # only asked for detectors with keywords
        if detector_index in self._keywords_need_non_digit and others is not candidates:
            hits = np.zeros(len(candidates), dtype=bool)
            if len(others):
                mask = pc.match_substring_regex(others, regex, ignore_case=True)
                hits[~digits_only] = mask.to_numpy(zero_copy_only=False)
            return hits
        return np.asarray(
            pc.match_substring_regex(candidates, regex, ignore_case=True).to_numpy(zero_copy_only=False), dtype=bool
        )

    def _digit_fast_path_validators(self) -> dict[int, VectorValidator]:
        r"""Pattern index -> vector validator, for the patterns _reject_invalid_digit_values validates in bulk.

        The pattern must be ``\b...\b`` and match at least one character, so that in a value of ASCII digits
        only (all word characters, boundaries only at both ends) its one match is the whole value; and the
        exclusion words of its detector must not match the empty text that precedes a match at position 0.
        """
        found: dict[int, VectorValidator] = {}
        for index, pattern in enumerate(self._patterns):
            detector = self.detectors[pattern.detector_index]
            vector = VECTOR_VALIDATORS.get(detector.validate) if detector.validate is not None else None
            exclusion = self._exclusion_words[pattern.detector_index]
            if vector and _whole_value_only(pattern.regex) and (exclusion is None or exclusion.search("") is None):
                found[index] = vector
        return found

    def _reject_invalid_digit_values(
        self,
        candidates: pa.Array,
        digits_only: np.ndarray,
        hits: dict[int, np.ndarray],
        tallies: Sequence[ColumnTally],
        column_of: np.ndarray,
    ) -> None:
        """Validate the pure-digit candidates of whole-value patterns in bulk; drop those that fail from ``hits``.

        Id columns (auto-increment, snowflake, order numbers) make every value a candidate of the bare-digit
        patterns (cards, SSNs, TFNs...), and _tally_value validating them one by one in Python made such columns
        50 times slower than others. For a value of fewer than 32 ASCII digits and a pattern of
        _digit_fast_path_validators, _tally_value finds exactly one match, the whole value, that nothing makes
        "something else": a UUID or hash shadow needs dashes or 32 hex digits, and no exclusion word precedes it.
        A value the vector validator rejects would therefore only add 1 to the detector's candidates: that is
        counted here and the value leaves the pattern's hits. Values that pass stay in ``hits`` for _tally_value,
        which counts them as ever, so the tally is exactly the one of the Python path. The candidates may come
        from several columns: ``column_of`` gives each one's index in ``tallies``, the column counted.
        """
        eligible = [index for index in hits if index in self._vector_validators]
        if not eligible or not digits_only.any():
            return
        groups = digit_matrices(candidates, np.flatnonzero(digits_only))
        for index in eligible:
            detector = self.detectors[self._patterns[index].detector_index]
            rejected = np.zeros(len(tallies), dtype=np.int64)
            for rows, digits in groups.values():
                hit = hits[index][rows]
                if hit.any():
                    failed = rows[hit][~self._vector_validators[index](digits[hit], detector.options)]
                    hits[index][failed] = False
                    rejected += np.bincount(column_of[failed], minlength=len(tallies))
            for column in np.flatnonzero(rejected).tolist():
                tallies[column].entity(detector.entity_type).candidates += int(rejected[column])

    def _add_keyword_hits(
        self,
        candidates: pa.Array,
        per_value: dict[int, list[int]],
        keyword_hits: dict[int, np.ndarray],
        digits_only: np.ndarray,
        others: pa.Array,
    ) -> None:
        # Keyword context is only looked up for detectors that hit at least one candidate.
        hit_detectors = {self._patterns[i].detector_index for indexes in per_value.values() for i in indexes}
        for detector_index in hit_detectors - set(keyword_hits):
            if self._keywords[detector_index] is not None:
                keyword_hits[detector_index] = self._keyword_mask(candidates, detector_index, digits_only, others)

    def _in_context(
        self,
        detector_index: int,
        start: int,
        text: str,
        row: int,
        hinted: frozenset[str],
        keyword_hits: dict[int, np.ndarray],
    ) -> bool:
        """Whether a validated match of the detector at ``start`` counts in its context.

        A detector that requires context needs a column hint, or a keyword in the value (ending at most
        ``keyword_distance`` characters before the match, where that is set).
        """
        detector = self.detectors[detector_index]
        if not detector.requires_context or detector.entity_type in hinted:
            return True
        if not _has_keyword(keyword_hits, detector_index, row):
            return False
        return detector.keyword_distance is None or self._keyword_before(detector_index, start, text)

    def _keyword_before(self, detector_index: int, start: int, text: str) -> bool:
        """True when a keyword of the detector ends at most ``keyword_distance`` characters before ``start``."""
        regex = self._keywords_py[detector_index]
        distance = self.detectors[detector_index].keyword_distance
        if regex is None or distance is None:
            return False
        window = max(0, start - distance - MAX_KEYWORD_CHARS)
        return any(found.end() >= start - distance for found in regex.finditer(text, window, start))

    def _tally_value(
        self,
        text: str,
        pattern_indexes: list[int],
        keyword_hits: dict[int, np.ndarray],
        row: int,
        hinted: frozenset[str],
        tally: ColumnTally,
        may_shadow: bool = True,
    ) -> set[str]:
        """Validate, de-overlap and context-check one candidate's matches; returns the entity types accepted.

        A match inside a longer UUID or hex hash (``0519-4038`` is no phone number), or right after an exclusion
        keyword of its detector (``build 10.0.0.1`` is no IP address), is not even a candidate: it neither counts
        nor lowers the validator pass rate. This runs once per candidate value, in Python: it is kept lean.
        ``may_shadow=False`` says no such UUID or hash is in ``text`` (the caller knows it from a vectorized pass).
        """
        tried: dict[int, int] = {}
        validated: dict[int, int] = {}
        matches: list[_Match] = []
        shadows = [m.span() for m in _SHADOWS.finditer(text)] if may_shadow else None
        for index in pattern_indexes:
            pattern = self._patterns[index]
            detector_index = pattern.detector_index
            detector = self.detectors[detector_index]
            exclusion = self._exclusion_words[detector_index]
            for found in pattern.compiled.finditer(text):
                start, end = found.span()
                if shadows and any(s <= start and end <= e and (e - s) > (end - start) for s, e in shadows):
                    continue
                if exclusion is not None and exclusion.search(text, max(0, start - EXCLUSION_WINDOW), start):
                    continue
                tried[detector_index] = tried.get(detector_index, 0) + 1
                token = found.group()
                if detector.validate is None or detector.validate(token, detector.options):
                    validated[detector_index] = validated.get(detector_index, 0) + 1
                    matches.append(_Match(start, end, detector_index, pattern, token))
        for detector_index, count in tried.items():
            entity = tally.entity(self.detectors[detector_index].entity_type)
            entity.candidates += count
            entity.validated += validated.get(detector_index, 0)
        if not matches:
            return set()
        accepted: dict[int, list[_Match]] = {}
        for match in _without_overlaps(matches):
            detector = self.detectors[match.detector_index]
            if self._allow_list.allows(match.token):
                continue
            if not self._in_context(match.detector_index, match.start, text, row, hinted, keyword_hits):
                continue
            accepted.setdefault(match.detector_index, []).append(match)
        for detector_index, found_matches in accepted.items():
            detector = self.detectors[detector_index]
            entity = tally.entity(detector.entity_type)
            entity.matched_values += 1
            entity.occurrences += len(found_matches)
            if _has_keyword(keyword_hits, detector_index, row):
                entity.keyword_values += 1
            for match in found_matches:
                self._record_match(entity, detector, match.token, match.pattern.name, match.pattern.score)
        return {self.detectors[i].entity_type for i in accepted}

    def _single_matches(
        self,
        values: pa.Array,
        texts: list[str],
        patterns_hit: list[list[int]],
        shadowed: list[bool],
        pure_digits: list[bool],
        whole_value: frozenset[int],
    ) -> list[_OneMatch | None]:
        """Per value: its one match, where it is known without Python's search (else None).

        A pure-digit value that only a pattern of ``whole_value`` hits matches as a whole, validated already
        (_reject_invalid_digit_values). Otherwise, a value of printable ASCII (tabs included) that one pattern
        hits, with no UUID or hash shadow, has one match when RE2 counts one: on such text RE2 and Python's
        ``re.ASCII`` find the same matches, as both search leftmost-first and their classes differ only on vertical
        tabs, line breaks and non-ASCII characters. E-mail columns, BIC-shaped references and log lines with one
        address are mostly such values: _accept_single_match then skips the Python search, and their tokens are
        validated in bulk where the detector's validator has a version in TOKEN_VALIDATORS.
        """
        single: list[_OneMatch | None] = [None] * len(values)
        per_pattern: dict[int, list[int]] = {}
        for position, (indexes, shadow, digits) in enumerate(zip(patterns_hit, shadowed, pure_digits, strict=True)):
            if len(indexes) != 1:
                continue
            if digits and indexes[0] in whole_value:
                single[position] = _OneMatch(0, len(texts[position]), True)
            elif not shadow and indexes[0] in self._single_match_patterns:
                per_pattern.setdefault(indexes[0], []).append(position)
        # Each pattern costs three RE2 passes, each compiling its regex: below this many values, Python is cheaper.
        eligible = [
            position
            for positions in per_pattern.values()
            if len(positions) >= SINGLE_MATCH_MIN
            for position in positions
        ]
        if not eligible:
            return single
        printable = pc.match_substring_regex(values.take(pa.array(eligible)), r"^[\t\x20-\x7e]*$")
        per_pattern = {}
        for position, ascii_text in zip(eligible, printable.to_numpy(zero_copy_only=False).tolist(), strict=True):
            if ascii_text:
                per_pattern.setdefault(patterns_hit[position][0], []).append(position)
        for index, positions in per_pattern.items():
            pattern = self._patterns[index]
            chosen = np.array(positions, dtype=np.int64)
            counts = pc.count_substring_regex(values.take(pa.array(chosen)), pattern.regex)
            chosen = chosen[counts.to_numpy(zero_copy_only=False) == 1]
            if chosen.size == 0:
                continue
            found = pc.extract_regex_span(values.take(pa.array(chosen)), f"(?P<match>{pattern.regex})")
            spans = found.field("match").flatten().to_numpy(zero_copy_only=False).reshape(-1, 2) @ _START_LENGTH_TO_SPAN
            rows: list[int] = chosen.tolist()
            bounds: list[list[int]] = spans.tolist()
            detector = self.detectors[pattern.detector_index]
            bulk = TOKEN_VALIDATORS.get(detector.validate) if detector.validate is not None else None
            valid: list[bool | None] = [None] * len(rows)
            if bulk is not None:
                tokens = pa.array([texts[row][start:end] for row, (start, end) in zip(rows, bounds, strict=True)])
                valid = bulk(tokens, detector.options).tolist()
            for row, (start, end), ok in zip(rows, bounds, valid, strict=True):
                single[row] = _OneMatch(start, end, ok)
        return single

    def _accept_single_match(
        self,
        text: str,
        match: _OneMatch,
        index: int,
        keyword_hits: dict[int, np.ndarray],
        row: int,
        column: _PreparedColumn,
    ) -> set[str]:
        """_tally_value for a value whose one match is ``match``, of pattern ``index``.

        Such values come from _single_matches, or are pure-digit values that only a whole-value pattern of the
        plan hits (valid: _reject_invalid_digit_values validated them in bulk). Nothing shadows the match and no
        other match overlaps it; what is left is the exclusion words, the validator, the allow list, the context
        and the bookkeeping, as _tally_value does them.
        """
        start, end, valid = match
        pattern = self._patterns[index]
        detector_index = pattern.detector_index
        detector = self.detectors[detector_index]
        exclusion = self._exclusion_words[detector_index]
        if exclusion is not None and exclusion.search(text, max(0, start - EXCLUSION_WINDOW), start):
            return set()
        entity = column.tally.entity(detector.entity_type)
        entity.candidates += 1
        token = text[start:end]
        if valid is None:
            valid = detector.validate is None or detector.validate(token, detector.options)
        if not valid:
            return set()
        entity.validated += 1
        if self._allow_list.allows(token):
            return set()
        if not self._in_context(detector_index, start, text, row, column.hinted, keyword_hits):
            return set()
        entity.matched_values += 1
        entity.occurrences += 1
        if _has_keyword(keyword_hits, detector_index, row):
            entity.keyword_values += 1
        self._record_match(entity, detector, token, pattern.name, pattern.score)
        return {detector.entity_type}

    @property
    def fingerprint_limit(self) -> int:
        """Fingerprints kept per tally (0 when the engine keeps none)."""
        return 0 if self._fingerprinter is None else self._fingerprinter.limit

    def _record_match(self, entity: EntityTally, detector: Detector, token: str, pattern: str, score: float) -> None:
        """Add one accepted match's evidence: pattern and score, a keyed hash, and a masked sample while room."""
        entity.best_score = max(entity.best_score, score)
        entity.patterns.add(pattern)
        if len(entity.value_hashes) < MAX_TRACKED_DISTINCT:
            entity.value_hashes.add(value_hash(token, self._hash_key))
        if self._fingerprinter is not None:
            self._fingerprinter.add(entity.fingerprints, token)
        if len(entity.samples) < self.config.scoring.max_samples:
            sample = detector.mask(token)
            if sample not in entity.samples:
                entity.samples.append(sample)


MAX_KEYWORD_CHARS = 64
PATTERN_GROUP = 8  # patterns per group-testing pass (Engine._group_tested)
SINGLE_MATCH_MIN = 256  # values of one pattern in a batch from which Engine._single_matches asks RE2
CONCAT_BYTES = 1 << 30  # at most this many bytes of strings are concatenated for one shared regex pass
PRESIDIO_SCORE_SAMPLE = 100  # accepted values per batch that Presidio scores (the rest of the budget is NER's)
EXCLUSION_WINDOW = 16  # characters before a match searched for an exclusion keyword
# Identifiers that are never personal data and whose fragments look like some (phone numbers in UUIDs).
_SHADOWS = re.compile(
    r"\b[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}\b|\b[0-9a-fA-F]{32,}\b"
)
_START_LENGTH_TO_SPAN = np.array([[1, 1], [0, 1]], dtype=np.int32)  # (start, length) @ this = (start, end)
PROFILE_SAMPLE = 256  # values of each batch of a column that the column profile looks at
PROFILE_MIN_VALUES = 20  # fewer non-empty values (or half as many distinct ones) are no profile
PROFILE_SHARE = 0.75  # share of the sample that must match in full and validate


def value_hash(token: str, key: bytes = b"") -> int:
    """A 64-bit keyed hash of a matched value, used only to count distinct values; never written to a table."""
    digest = hashlib.blake2b(token.encode("utf-8"), digest_size=8, key=key).digest()
    return int.from_bytes(digest, "big", signed=True)


def _without_overlaps(matches: list[_Match]) -> list[_Match]:
    """Drop matches lying inside a strictly longer match, and repeats of the same span for the same entity.

    A 16-digit card number also contains shorter digit runs; only the longest reading of a span counts. Two
    entities matching exactly the same span (a 9-digit SSN that also passes the ABA checksum) both stay:
    column hints and keywords decide between them when the finding is scored.
    """
    if len(matches) <= 1:
        return matches
    kept: list[_Match] = []
    for match in sorted(matches, key=lambda m: (-(m.end - m.start), -m.pattern.score)):
        shadowed = any(
            k.start <= match.start
            and match.end <= k.end
            and ((k.end - k.start) > (match.end - match.start) or k.detector_index == match.detector_index)
            for k in kept
        )
        if not shadowed:
            kept.append(match)
    return kept


def _whole_value_only(regex: str) -> bool:
    r"""True for a regex ``\b X \b`` (no top-level alternation) whose matches are never empty.

    In a value of word characters only, such a regex can only match the whole value. Parsed with the
    standard library's own regex parser (private, hence imported by name), so ``\bA|B\b`` does not pass.
    """
    return _whole_value_width(regex) is not None


def _whole_value_width(regex: str) -> tuple[int, int] | None:
    r"""For a _whole_value_only regex, the (min, max) length of its matches as Python's parser computes it; else None.

    Its only match in a value of word characters is the whole value, so a pure-digit value whose length is
    outside this range has no match at all (the Python matching of _tally_value decides what counts).
    """
    parser = importlib.import_module("re._parser")
    constants = importlib.import_module("re._constants")
    try:
        parsed = parser.parse(regex, re.ASCII)
    except re.error:
        return None
    items = list(parsed)
    boundary = (constants.AT, constants.AT_BOUNDARY)
    low, high = parsed.getwidth()
    if len(items) > 2 and items[0] == boundary and items[-1] == boundary and low > 0:
        return int(low), int(high)
    return None


def _min_width(regex: str) -> int:
    """The fewest characters a match of ``regex`` holds, as Python's parser computes it (0 if it cannot tell)."""
    parser = importlib.import_module("re._parser")
    try:
        return int(parser.parse(regex, re.ASCII).getwidth()[0])
    except re.error:
        return 0


def _needs_non_digit(regex: str) -> bool:
    """True when every match of ``regex`` holds a character other than 0-9: it cannot match in a string of digits.

    Conservative: only literals, character sets, groups, alternations and repeats are looked into.
    """
    parser = importlib.import_module("re._parser")
    constants = importlib.import_module("re._constants")
    digits = range(ord("0"), ord("9") + 1)

    def set_may_match_digit(items: list[tuple[object, object]]) -> bool:
        return any(
            (op == constants.LITERAL and av in digits)
            or (op == constants.RANGE and av[0] <= digits[-1] and av[1] >= digits[0])  # type: ignore[index]
            or op not in (constants.LITERAL, constants.RANGE)  # categories, negation: assume they may
            for op, av in items
        )

    def needs(items: list[tuple[object, object]]) -> bool:
        for op, av in items:
            if op == constants.LITERAL and av not in digits:
                return True
            if op == constants.IN and not set_may_match_digit(av):  # type: ignore[arg-type]
                return True
            if op in (constants.MAX_REPEAT, constants.MIN_REPEAT) and av[0] > 0 and needs(av[2]):  # type: ignore[index]
                return True
            if op == constants.SUBPATTERN and needs(av[3]):  # type: ignore[index]
                return True
            if op == constants.BRANCH and all(needs(branch) for branch in av[1]):  # type: ignore[index]
                return True
        return False

    try:
        return needs(list(parser.parse(regex, re.ASCII)))
    except re.error:
        return False


def _keyword_regex(keywords: Sequence[str]) -> str | None:
    if not keywords:
        return None
    return r"\b(?:" + "|".join(re.escape(k) for k in keywords) + r")\b"


def _chunks(columns: Sequence[_PreparedColumn]) -> list[Sequence[_PreparedColumn]]:
    """``columns`` in runs of at most CONCAT_BYTES (a string array's 32-bit offsets end at 2 GiB)."""
    chunks: list[Sequence[_PreparedColumn]] = []
    start = size = 0
    for end, column in enumerate(columns):
        if end > start and size + column.strings.nbytes > CONCAT_BYTES:
            chunks.append(columns[start:end])
            start, size = end, 0
        size += column.strings.nbytes
    chunks.append(columns[start:])
    return chunks


def _has_keyword(keyword_hits: dict[int, np.ndarray], detector_index: int, row: int) -> bool:
    hits = keyword_hits.get(detector_index)
    return hits is not None and bool(hits[row])


def _matches(strings: pa.Array, parts: Sequence[pa.Array], regex: str) -> np.ndarray:
    """Which values of ``strings``, the concatenation of ``parts``, match ``regex``, as one mask.

    A part of few distinct values (statuses, countries, flags) is matched once per distinct value; the other parts
    go through one pass together (all of ``strings`` when no part has few distinct values).
    """

    def matching(values: pa.Array) -> np.ndarray:
        return np.asarray(pc.match_substring_regex(values, regex).to_numpy(zero_copy_only=False), dtype=bool)

    few = [few_distinct(part) for part in parts]
    if not any(few):
        return matching(strings)
    direct = [part for part, is_few in zip(parts, few, strict=True) if not is_few]
    together = matching(pa.concat_arrays(direct)) if direct else np.zeros(0, dtype=bool)
    splits = iter(np.split(together, np.cumsum([len(part) for part in direct])[:-1]))
    masks = [
        through_distinct(part, lambda distinct: (matching(distinct),))[0] if is_few else next(splits)
        for part, is_few in zip(parts, few, strict=True)
    ]
    return np.concatenate(masks)


def _non_empty(strings: pa.Array) -> pa.Array:
    """``strings`` without its nulls and empty strings (the array itself when it has none: most columns)."""
    offsets, _ = offsets_and_data(strings)
    if strings.null_count == 0 and bool(np.all(offsets[1:] > offsets[:-1])):
        return strings
    return pc.filter(strings, pc.and_kleene(pc.is_valid(strings), pc.not_equal(strings, "")))


def as_strings(values: pa.Array | pa.ChunkedArray) -> pa.Array:
    """``values`` as one Arrow string array (other types are cast, chunks combined)."""
    if isinstance(values, pa.ChunkedArray):
        values = values.combine_chunks()
    if pa.types.is_large_string(values.type) or pa.types.is_string_view(values.type):
        return values.cast(pa.string())
    if pa.types.is_string(values.type):
        return values
    return pc.cast(values, pa.string())
