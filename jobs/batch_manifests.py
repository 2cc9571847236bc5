"""S3 Batch Operations manifests for a tag plan (``--batch-manifests``), instead of applying tags one by one.

The "Replace all object tags" operation (S3PutObjectTagging) writes ONE tag set to every object of a job and
replaces whatever tags the objects had. So objects are grouped by their FULL merged tag set (their user tags
included), one manifest and one job definition per group; an object whose user tags change between planning and
the job's run loses that change. An empty set becomes "Delete all object tags" (S3DeleteObjectTagging).

Files, under ``<output>/batch/<run id>/``: ``group-00001.csv`` (``bucket,key`` rows, keys URL-encoded, no
header) and ``group-00001.json`` (the ``aws s3control create-job --cli-input-json`` input).
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from typing import Any
from urllib.parse import quote

import pyarrow as pa

from jobs.storage import Location, filesystem, parse_uri, s3_client
from jobs.tag_config import BatchSettings
from jobs.tag_merge import from_json, tag_set

MANIFEST_FORMAT = "S3BatchOperations_CSV_20180820"


@dataclass(frozen=True)
class Group:
    """One manifest: the objects sharing one full tag set."""

    number: int
    region: str  # '' when unknown: create the job in the buckets' region
    tags: dict[str, str]
    objects: list[tuple[str, str]]  # (bucket, key)
    manifest_uri: str
    job_uri: str


def group_plan(plan: pa.Table) -> list[tuple[str, dict[str, str], list[tuple[str, str]]]]:
    """Objects to change (action add or update), grouped by region (a job runs in one) and full new tag set.

    Returns (region, tags, sorted objects) in a deterministic order; region '' where the plan does not know it.
    """
    groups: dict[tuple[str, str], list[tuple[str, str]]] = {}
    rows = plan.select(["kind", "action", "bucket", "key", "region", "new_tags"]).to_pylist()
    for row in rows:
        if row["kind"] == "object" and row["action"] in ("add", "update"):
            group = (row["region"] or "", row["new_tags"] or "{}")
            groups.setdefault(group, []).append((row["bucket"], row["key"]))
    return [(region, from_json(text), sorted(objects)) for (region, text), objects in sorted(groups.items())]


def manifest_csv(objects: list[tuple[str, str]]) -> str:
    """The CSV manifest: ``bucket,key`` per line, the key URL-encoded (slashes kept)."""
    return "".join(f"{bucket},{quote(key, safe='/')}\n" for bucket, key in objects)


def job_definition(
    group: int,
    tags: dict[str, str],
    manifest: Location,
    etag: str,
    run_id: str,
    settings: BatchSettings,
    objects: int,
    region: str = "",
) -> dict[str, Any]:
    """The create-job input for one group (create the job in ``region``, named in the description)."""
    operation: dict[str, Any] = (
        {"S3PutObjectTagging": {"TagSet": tag_set(tags)}} if tags else {"S3DeleteObjectTagging": {}}
    )
    token = hashlib.sha256(f"{run_id}:{group}".encode()).hexdigest()[:32]
    report: dict[str, Any] = (
        {
            "Bucket": settings.report_bucket_arn,
            "Prefix": f"{settings.report_prefix}/{run_id}/group-{group:05d}",
            "Format": "Report_CSV_20180820",
            "Enabled": True,
            "ReportScope": "AllTasks",
        }
        if settings.report_bucket_arn
        else {"Enabled": False}
    )
    arn = (
        f"arn:aws:s3:::{manifest.bucket}/{manifest.path}"
        if manifest.scheme == "s3"
        else f"arn:aws:s3:::REPLACE-WITH-BUCKET/{manifest.path.lstrip('/')}"
    )
    return {
        "AccountId": settings.account_id,
        "ConfirmationRequired": settings.confirmation_required,
        "Operation": operation,
        "Manifest": {
            "Spec": {"Format": MANIFEST_FORMAT, "Fields": ["Bucket", "Key"]},
            "Location": {"ObjectArn": arn, "ETag": etag},
        },
        "Report": report,
        "Priority": settings.priority,
        "RoleArn": settings.role_arn,
        "ClientRequestToken": token,
        "Description": f"piiscan tag run {run_id} group {group} ({objects} objects, region {region or 'unknown'})"[
            :256
        ],
    }


def write_manifests(plan: pa.Table, output: str, run_id: str, settings: BatchSettings) -> list[Group]:
    """Write every group's manifest and job definition; rewriting the same run gives the same files."""
    base = parse_uri(output)
    folder = Location(base.scheme, base.bucket, f"{base.path.rstrip('/')}/batch/{_safe(run_id)}")
    fs = filesystem(folder)
    if folder.scheme == "file":
        fs.create_dir(folder.path, recursive=True)
    written = []
    for number, (region, tags, objects) in enumerate(group_plan(plan), start=1):
        manifest = Location(folder.scheme, folder.bucket, f"{folder.path}/group-{number:05d}.csv")
        job = Location(folder.scheme, folder.bucket, f"{folder.path}/group-{number:05d}.json")
        body = manifest_csv(objects).encode()
        with fs.open_output_stream(manifest.fs_path) as out:
            out.write(body)
        etag = _etag(manifest, body)
        definition = job_definition(number, tags, manifest, etag, run_id, settings, len(objects), region)
        with fs.open_output_stream(job.fs_path) as out:
            out.write((json.dumps(definition, indent=2, sort_keys=True) + "\n").encode())
        written.append(Group(number, region, tags, objects, manifest.uri, job.uri))
    return written


def _etag(manifest: Location, body: bytes) -> str:
    """The manifest's ETag: S3's own for an S3 output; else the MD5 it will have once uploaded in one part."""
    if manifest.scheme == "s3":
        head = s3_client().head_object(Bucket=manifest.bucket, Key=manifest.path)  # type: ignore[attr-defined]
        return str(head["ETag"]).strip('"')
    return hashlib.md5(body, usedforsecurity=False).hexdigest()


def _safe(text: str) -> str:
    return "".join(ch if ch.isalnum() or ch in "-_." else "_" for ch in text)
