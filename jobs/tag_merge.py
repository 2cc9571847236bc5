"""Merging the job's tags into the tags an object (or bucket) already has, within S3's limits.

Every key starting with the prefix belongs to the job; every other key belongs to someone else and is kept
exactly as it is. A merge that would need more tags than S3 allows fails for that object with a reason: the job
never drops a tag it does not own to make room.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass

from jobs.tag_config import MAX_KEY_CHARS, MAX_TAGS_PER_OBJECT, MAX_VALUE_CHARS, tag_text_problem

Tags = dict[str, str]


@dataclass(frozen=True)
class Merge:
    """The outcome of merging: the full tag set to write, and what writing it means."""

    new_tags: Tags | None  # None when the merge failed
    action: str  # add (only new keys), update (a tag the job owns changes or goes), none, failed
    reason: str | None


def merge_tags(
    current: Mapping[str, str], job_tags: Mapping[str, str], prefix: str, limit: int = MAX_TAGS_PER_OBJECT
) -> Merge:
    """Keep every tag outside ``prefix``, replace the ones inside it by ``job_tags``; check S3's limits."""
    user = {k: v for k, v in current.items() if not k.startswith(prefix)}
    for key, value in job_tags.items():
        if not key.startswith(prefix):
            raise ValueError(f"job tag key {key!r} is outside the prefix {prefix!r}")
        problem = tag_text_problem(key, MAX_KEY_CHARS, "key") or tag_text_problem(
            value, MAX_VALUE_CHARS, f"value of {key}"
        )
        if problem:
            return Merge(None, "failed", f"cannot write the job's tag: {problem}")
    merged = {**user, **job_tags}
    if len(merged) > limit:
        return Merge(
            None,
            "failed",
            f"tag limit: S3 allows {limit} tags and the object has {len(user)} tag(s) the job does not own; the job "
            f"needs {len(job_tags)} more ({', '.join(sorted(job_tags))}); remove {len(merged) - limit} of its own "
            "tags or turn off some tag keys in conf/tag.yaml (user tags are never dropped)",
        )
    notes = [p for k, v in sorted(user.items()) if (p := _user_problem(k, v))]
    reason = ("kept as they are: " + "; ".join(notes)) if notes else None
    if merged == dict(current):
        return Merge(merged, "none", reason)
    only_added = all(merged.get(k) == v for k, v in current.items())
    return Merge(merged, "add" if only_added else "update", reason)


def _user_problem(key: str, value: str) -> str | None:
    """A note on a tag the job does not own that is outside the documented tag alphabet (S3 accepted it once).

    The value is not quoted: it is someone else's text.
    """
    problem = tag_text_problem(key, MAX_KEY_CHARS, "user tag key")
    if problem:
        return problem
    if tag_text_problem(value, MAX_VALUE_CHARS, "value"):
        return (
            f"user tag {key!r} has a value outside the documented tag alphabet (letters, digits, spaces, "
            "+ - = . _ : / @)"
        )
    return None


def to_json(tags: Mapping[str, str] | None) -> str | None:
    """A tag set as stored in the plan and result tables: a JSON object with sorted keys."""
    return None if tags is None else json.dumps(dict(tags), sort_keys=True, ensure_ascii=False)


def from_json(text: str | None) -> Tags:
    """The inverse of ``to_json`` (an absent set is empty)."""
    return dict(json.loads(text)) if text else {}


def tag_set(tags: Mapping[str, str]) -> list[dict[str, str]]:
    """The S3 API's TagSet for a tag mapping, sorted by key."""
    return [{"Key": key, "Value": tags[key]} for key in sorted(tags)]


def from_tag_set(tag_set_: list[dict[str, str]] | None) -> Tags:
    """A tag mapping from the S3 API's TagSet."""
    return {t["Key"]: t["Value"] for t in tag_set_ or []}
