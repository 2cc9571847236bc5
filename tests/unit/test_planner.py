"""Planning on the driver: dataset folders, object sampling and reasons for everything not read."""

import hashlib
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest

import jobs.planner
from jobs.config import Sampling
from jobs.inventory import Inventory
from jobs.planner import PlannedObject, assign_dataset_markers, dataset_of, plan_scan
from jobs.storage import Location, ObjectInfo
from tests.inventory_fixtures import Row, write_inventory

WHEN = datetime(2024, 5, 1, tzinfo=UTC)
MARKER_10 = "size=10;modified=2024-05-01T00:00:00+00:00"  # object_marker of a 10-byte object listed at WHEN


@pytest.mark.parametrize(
    ("uri", "dataset"),
    [
        ("s3://b/customers/part-0.csv", "s3://b/customers/"),
        ("s3://b/customers/region=eu/part-0.csv", "s3://b/customers/"),
        ("s3://b/customers/region=eu/dt=2024-01-01/part-0.csv", "s3://b/customers/"),
        ("s3://b/customers/region=/part-0.csv", "s3://b/customers/"),
        ("s3://b/customers/v2/part-0.csv", "s3://b/customers/v2/"),
        ("s3://b/a=1/part-0.csv", "s3://b/"),
        ("s3://b/x.csv", "s3://b/"),
        ("file:///data/customers/part-0.csv", "file:///data/customers/"),
        ("file:///data/customers/region=eu/country=fr/part-0.csv", "file:///data/customers/"),
        ("file:///x.csv", "file:///"),
    ],
)
def test_dataset_of_drops_the_file_name_and_hive_partition_folders(uri: str, dataset: str) -> None:
    assert dataset_of(uri) == dataset


def write(folder: Path, names: list[str], content: bytes = b"a\n1\n") -> None:
    for name in names:
        path = folder / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(content)


def uris(objects: list[PlannedObject]) -> list[str]:
    return [planned.uri for planned in objects]


def test_objects_per_dataset_reads_a_sample_spread_over_key_order(tmp_path: Path) -> None:
    write(tmp_path, [f"part-{i}.csv" for i in range(7)])
    plan = plan_scan([str(tmp_path)], Sampling(objects_per_dataset=3))
    read = uris(plan.objects)
    assert len(read) == 3
    assert read[0] == f"file://{tmp_path}/part-0.csv"
    assert sorted(read + uris(plan.skipped)) == [f"file://{tmp_path}/part-{i}.csv" for i in range(7)]
    assert [planned.reason for planned in plan.skipped] == ["sampling: 3 of 7 objects read in this dataset"] * 4
    assert {planned.dataset for planned in plan.objects + plan.skipped} == {f"file://{tmp_path}/"}
    assert plan.failed_sources == []
    assert plan.listed == 7


def test_objects_per_dataset_sample_includes_the_first_and_last_keys(tmp_path: Path) -> None:
    write(tmp_path, [f"part-{i}.csv" for i in range(7)])
    plan = plan_scan([str(tmp_path)], Sampling(objects_per_dataset=3))
    assert uris(plan.objects) == [f"file://{tmp_path}/part-{i}.csv" for i in (0, 3, 6)]


def test_full_scan_reads_every_object(tmp_path: Path) -> None:
    write(tmp_path, [f"part-{i}.csv" for i in range(7)])
    plan = plan_scan([str(tmp_path)], Sampling(full_scan=True, objects_per_dataset=3))
    assert uris(plan.objects) == [f"file://{tmp_path}/part-{i}.csv" for i in range(7)]
    assert plan.skipped == []


def test_empty_objects_are_skipped_with_a_reason_and_not_counted_for_sampling(tmp_path: Path) -> None:
    write(tmp_path, ["a.csv", "b.csv"])
    write(tmp_path, ["empty.csv"], b"")
    plan = plan_scan([str(tmp_path)], Sampling(objects_per_dataset=2))
    assert uris(plan.objects) == [f"file://{tmp_path}/a.csv", f"file://{tmp_path}/b.csv"]
    assert [(p.uri, p.size, p.reason) for p in plan.skipped] == [(f"file://{tmp_path}/empty.csv", 0, "empty object")]


def test_planned_local_object_fields(tmp_path: Path) -> None:
    write(tmp_path, ["region=eu/part-0.csv"])
    (planned,) = plan_scan([f"file://{tmp_path}/"], Sampling()).objects
    assert planned.last_modified is not None
    assert planned == PlannedObject(
        uri=f"file://{tmp_path}/region=eu/part-0.csv",
        size=4,
        last_modified=planned.last_modified,
        region=None,
        dataset=f"file://{tmp_path}/",
        source_kind="local",
        reason=None,
        change_marker=f"size=4;modified={planned.last_modified.isoformat()}",
    )
    assert planned.last_modified.tzinfo is UTC


def test_partitions_of_one_dataset_are_sampled_together(tmp_path: Path) -> None:
    names = [f"region={region}/part-{i}.csv" for region in ("eu", "us") for i in range(2)]
    write(tmp_path, names)
    plan = plan_scan([str(tmp_path)], Sampling(objects_per_dataset=2))
    assert len(plan.objects) == 2
    assert sorted(uris(plan.objects) + uris(plan.skipped)) == [f"file://{tmp_path}/{name}" for name in names]
    assert [p.reason for p in plan.skipped] == ["sampling: 2 of 4 objects read in this dataset"] * 2
    assert {p.dataset for p in plan.objects + plan.skipped} == {f"file://{tmp_path}/"}


def test_different_formats_in_one_folder_are_sampled_separately(tmp_path: Path) -> None:
    write(tmp_path, ["a.csv", "b.csv", "c.csv", "app.log", "README", "z.json"])
    plan = plan_scan([str(tmp_path)], Sampling(objects_per_dataset=1))
    assert sorted(uris(plan.objects)) == [
        f"file://{tmp_path}/README",
        f"file://{tmp_path}/app.log",
        f"file://{tmp_path}/c.csv",  # a sample of one is the last key: the newest partition
        f"file://{tmp_path}/z.json",
    ]
    assert [(p.uri, p.reason) for p in plan.skipped] == [
        (f"file://{tmp_path}/a.csv", "sampling: 1 of 3 objects read in this dataset"),
        (f"file://{tmp_path}/b.csv", "sampling: 1 of 3 objects read in this dataset"),
    ]


def test_single_file_source_is_planned(tmp_path: Path) -> None:
    write(tmp_path, ["a.csv", "b.csv"])
    plan = plan_scan([str(tmp_path / "b.csv")], Sampling())
    assert uris(plan.objects) == [f"file://{tmp_path}/b.csv"]


def test_missing_source_is_a_failed_source_and_the_others_are_still_planned(tmp_path: Path) -> None:
    write(tmp_path, ["data/a.csv"])
    missing = tmp_path / "missing"
    plan = plan_scan([str(missing), str(tmp_path / "data")], Sampling())
    assert plan.failed_sources == [
        PlannedObject(
            uri=f"file://{missing}",
            size=0,
            last_modified=None,
            region=None,
            dataset=f"file://{missing}",
            source_kind="local",
            reason=f"SourceError: source file://{missing} does not exist",
        )
    ]
    assert uris(plan.objects) == [f"file://{tmp_path}/data/a.csv"]


def test_s3_sources_record_region_kind_and_archived_objects(monkeypatch: pytest.MonkeyPatch) -> None:
    listed = [
        ObjectInfo("s3://b/customers/region=eu/part-0.csv", 10, WHEN),
        ObjectInfo("s3://b/customers/region=us/part-0.csv", 10, WHEN, "DEEP_ARCHIVE"),
        ObjectInfo("s3://b/customers/region=us/part-1.csv", 10, WHEN, "STANDARD"),
        ObjectInfo("s3://b/customers/region=us/part-2.csv", 10, WHEN, "GLACIER", restore="done"),
        ObjectInfo("s3://b/customers/region=us/part-3.csv", 10, WHEN, "GLACIER", restore="ongoing"),
    ]

    def fake_list(location: Location) -> Iterator[ObjectInfo]:
        assert location == Location("s3", "b", "customers/")
        yield from listed

    monkeypatch.setattr(jobs.planner, "bucket_region", lambda bucket: {"b": "eu-west-1"}[bucket])
    monkeypatch.setattr(jobs.planner, "list_objects", fake_list)
    plan = plan_scan(["s3://b/customers/"], Sampling())
    assert plan.objects == [
        PlannedObject(info.uri, 10, WHEN, "eu-west-1", "s3://b/customers/", "s3", change_marker=MARKER_10)
        for info in (listed[0], listed[2], listed[3])  # a restored archive object is read like any other
    ]
    assert plan.skipped == [
        PlannedObject(info.uri, 10, WHEN, "eu-west-1", "s3://b/customers/", "s3", reason, change_marker=MARKER_10)
        for info, reason in [
            (listed[1], "archived in storage class DEEP_ARCHIVE; restore it to scan"),
            (listed[4], "archived in storage class GLACIER; its restore is in progress, scan it once done"),
        ]
    ]


def test_redshift_unloads_are_planned_with_their_read_options(tmp_path: Path) -> None:
    (tmp_path / "venue_0000_part_00").write_text("1|a@example.com\n")
    (tmp_path / "venue_0001_part_00").write_text("2|b@example.com\n")
    (tmp_path / "venue_manifest").write_text(
        '{"entries": [], "schema": {"elements": [{"name": "id", "type": {"base": "integer"}},'
        ' {"name": "email", "type": {"base": "character varying", "length": 64}}]}}'
    )
    (tmp_path / "notes.txt").write_text("hello\n")
    plan = plan_scan([str(tmp_path)], Sampling())
    base = f"file://{tmp_path}/"
    options = (
        '{"addquotes": null, "columns": ["id", "email"], "delimiter": null, "escape": null, "header": null, '
        '"null_as": ""}'
    )
    assert sorted((o.uri, o.dataset, o.source_kind, o.read_options) for o in plan.objects) == [
        (f"{base}notes.txt", base, "local", None),
        (f"{base}venue_0000_part_00", f"{base}venue_", "redshift_unload", options),
        (f"{base}venue_0001_part_00", f"{base}venue_", "redshift_unload", options),
    ]
    assert [(o.uri, o.source_kind, o.reason) for o in plan.skipped] == [
        (f"{base}venue_manifest", "redshift_unload", "Redshift UNLOAD manifest")
    ]
    assert plan.column_types == {
        (f"{base}venue_", "id"): "integer",
        (f"{base}venue_", "email"): "character varying(64)",
    }


def test_a_bucket_with_an_inventory_report_is_listed_from_it(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # The report folder is a local copy (synthetic, tests/inventory_fixtures.py); the bucket is never LISTed.
    rows = [
        Row("logs/a.log", size=10, etag="e1"),
        Row("logs/b.log", size=0),
        Row("logs/old.log", size=10, storage_class="GLACIER", etag="e3"),
        Row("other/c.log", size=10),
    ]
    write_inventory(tmp_path, [rows], source_bucket="huge", file_format="Parquet")

    def no_list(location: Location) -> Iterator[ObjectInfo]:
        raise AssertionError(f"{location.uri} must not be listed")

    monkeypatch.setattr(jobs.planner, "bucket_region", lambda bucket: "eu-west-1")
    monkeypatch.setattr(jobs.planner, "list_objects", no_list)
    inventory = Inventory(reports={"huge": f"{tmp_path}/inventory/huge/daily/"})
    plan = plan_scan(["s3://huge/logs/"], Sampling(), inventory=inventory)
    modified = Row("x").last_modified
    assert plan.objects == [
        PlannedObject(
            "s3://huge/logs/a.log",
            10,
            modified,
            "eu-west-1",
            "s3://huge/logs/",
            "s3",
            change_marker=f"etag=e1;size=10;modified={modified.isoformat() if modified else ''}",
        )
    ]
    assert [(p.uri, p.reason) for p in plan.skipped] == [
        ("s3://huge/logs/b.log", "empty object"),
        ("s3://huge/logs/old.log", "archived in storage class GLACIER; restore it to scan"),
    ]


def test_objects_of_a_structured_dataset_share_one_marker_over_all_of_them(tmp_path: Path) -> None:
    write(tmp_path, ["t/a.csv", "t/b.csv", "t/c.csv", "t/notes.log", "u/alone.csv"])
    plan = plan_scan([str(tmp_path)], Sampling(objects_per_dataset=2))
    assign_dataset_markers(plan)
    markers = {p.uri.removeprefix(f"file://{tmp_path}/"): p.change_marker for p in plan.objects + plan.skipped}

    def own(name: str) -> str:
        stat = (tmp_path / name).stat()
        return f"size={stat.st_size};modified={datetime.fromtimestamp(stat.st_mtime, UTC).isoformat()}"

    listing = "\n".join(f"file://{tmp_path}/t/{n} {own('t/' + n)}" for n in ("a.csv", "b.csv", "c.csv"))
    shared = "dataset=" + hashlib.sha256(listing.encode()).hexdigest()[:32]
    assert markers == {
        "t/a.csv": shared,
        "t/b.csv": shared,  # left out by sampling, still part of what says the dataset changed
        "t/c.csv": shared,
        "t/notes.log": own("t/notes.log"),
        "u/alone.csv": own("u/alone.csv"),
    }
