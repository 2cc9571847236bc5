"""Redshift UNLOAD output: file names, manifests (plain, VERBOSE, AWS's invalid example) and text decoding.

The manifest and line samples follow AWS's UNLOAD documentation (r_UNLOAD, r_UNLOAD_command_examples) and the
spark-redshift connector's escaped test file; the values are synthetic.
"""

from __future__ import annotations

import pytest

from jobs.unload import (
    Manifest,
    ManifestColumn,
    TextOptions,
    UnloadFile,
    column_batches,
    column_names,
    data_file,
    find_unloads,
    manifest_prefix,
    parse_manifest,
    records,
    resolve_options,
    sniff_options,
    split_line,
)


@pytest.mark.parametrize(
    ("uri", "expected"),
    [
        ("s3://b/unload/0000_part_00", UnloadFile("s3://b/unload/0000_part_00", "s3://b/unload/", 0, 0, "text", None)),
        (
            "s3://b/tickit/venue_pipe_0003_part_00.gz",
            UnloadFile("s3://b/tickit/venue_pipe_0003_part_00.gz", "s3://b/tickit/venue_pipe_", 3, 0, "text", "gzip"),
        ),
        (
            "s3://b/p/0001_part_01.parquet",
            UnloadFile("s3://b/p/0001_part_01.parquet", "s3://b/p/", 1, 1, "parquet", None),
        ),
        (  # PARALLEL OFF, 3 or 4 digits depending on the AWS page
            "s3://b/venue_serial_000",
            UnloadFile("s3://b/venue_serial_000", "s3://b/venue_serial_", 0, None, "text", None),
        ),
        (
            "s3://b/lineorder_serial_0000.gz",
            UnloadFile("s3://b/lineorder_serial_0000.gz", "s3://b/lineorder_serial_", 0, None, "text", "gzip"),
        ),
        ("s3://b/u/0002_part_00.bz2", UnloadFile("s3://b/u/0002_part_00.bz2", "s3://b/u/", 2, 0, "text", "bz2")),
        ("s3://b/u/0002_part_00.zst", UnloadFile("s3://b/u/0002_part_00.zst", "s3://b/u/", 2, 0, "text", "zstd")),
        ("s3://b/u/customers.csv", None),
        ("s3://b/u/manifest", None),
    ],
)
def test_data_file_names(uri: str, expected: UnloadFile | None) -> None:
    assert data_file(uri) == expected


def test_manifest_names() -> None:
    assert [manifest_prefix(u) for u in ("s3://b/venue_manifest", "s3://b/unload/manifest", "s3://b/x.csv")] == [
        "s3://b/venue_",
        "s3://b/unload/",
        None,
    ]


def test_plain_manifest_with_and_without_meta() -> None:
    text = (
        '{"entries": [{"url": "s3://b/tickit/venue_0000_part_00"},'
        ' {"url": "s3://b/tickit/venue_0001_part_00", "meta": {"content_length": 5956875}}]}'
    )
    assert parse_manifest(text) == Manifest(
        entries=["s3://b/tickit/venue_0000_part_00", "s3://b/tickit/venue_0001_part_00"]
    )


VERBOSE = """{
  "entries": [
    {"url": "s3://b/tickit/venue_0000_part_00", "meta": {"content_length": 32295, "record_count": 10}},
    {"url": "s3://b/tickit/venue_0001_part_00", "meta": {"content_length": 32771, "record_count": 20}}
  ],
  "schema": {"elements": [
    {"name": "venueid", "type": {"base": "integer"}},
    {"name": "venuename", "type": {"base": "character varying", 25}},
    {"name": "price", "type": {"base": "numeric", "precision": 18, "scale": 2}},
    {"name": "note", "type": {"base": "character varying", "byte_length": 200}}
  ]},
  "meta": {"content_length": 65066, "record_count": 30},
  "author": {"name": "Amazon Redshift", "version": "1.0.0"}
}"""


def test_verbose_manifest_as_aws_documents_it_invalid_json_included() -> None:
    assert parse_manifest(VERBOSE) == Manifest(
        entries=["s3://b/tickit/venue_0000_part_00", "s3://b/tickit/venue_0001_part_00"],
        record_count=30,
        columns=[
            ManifestColumn("venueid", "integer"),
            ManifestColumn("venuename", "character varying(25)"),
            ManifestColumn("price", "numeric(18,2)"),
            ManifestColumn("note", "character varying(200)"),
        ],
        problems=["manifest is not valid JSON; read after repairing bare type dimensions"],
    )


@pytest.mark.parametrize(
    ("text", "problems", "columns"),
    [
        ("{not json", ["manifest is not valid JSON (line 1, column 2)"], None),
        ("[1, 2]", ["manifest is not a JSON object"], None),
        ('{"entries": [{"meta": {}}]}', ["manifest entry 0 has no url"], None),
        ('{"entries": [], "schema": {"elements": 3}}', ["manifest schema has no list of elements"], None),
        (
            '{"entries": [], "schema": {"elements": [{"type": {"base": "integer"}}]}}',
            ["manifest schema element 0 has no name; columns are named by position"],
            None,
        ),
    ],
)
def test_bad_manifests_are_problems_not_crashes(text: str, problems: list[str], columns: object) -> None:
    manifest = parse_manifest(text)
    assert (manifest.problems, manifest.columns) == (problems, columns)


@pytest.mark.parametrize(
    ("line", "options", "fields"),
    [
        ("1|Toyota Park|Bridgeview|IL|0", TextOptions(), ["1", "Toyota Park", "Bridgeview", "IL", "0"]),
        ("7||Chicago|IL|", TextOptions(), ["7", None, "Chicago", "IL", None]),  # NULL is the empty string
        ("22|Quicken Loans Arena|Cleveland|fred|0", TextOptions(null_as="fred"), ["22", "Quicken Loans Arena",
                                                                                "Cleveland", None, "0"]),
        ('"1"|"Toyota|Park"|""', TextOptions(addquotes=True), ["1", "Toyota|Park", ""]),
        (r"0|f||-1234152.12312498|___\|_123|", TextOptions(escape=True), ["0", "f", None, "-1234152.12312498",
                                                                          "___|_123", None]),
        (r"a\\|b", TextOptions(escape=True), ["a\\", "b"]),
        ("2,Columbus Crew Stadium,OH", TextOptions(delimiter=","), ["2", "Columbus Crew Stadium", "OH"]),
    ],
)  # fmt: skip
def test_split_line(line: str, options: TextOptions, fields: list[str | None]) -> None:
    assert split_line(line, options) == fields


def test_escaped_newlines_join_lines_into_one_record() -> None:
    lines = ["1|first line\\", "second line|x", "2|plain|y"]
    assert list(records(lines, TextOptions(escape=True))) == [
        ["1", "first line\nsecond line", "x"],
        ["2", "plain", "y"],
    ]


@pytest.mark.parametrize(
    ("lines", "hint", "options"),
    [
        (["1|a|b", "2|c|d"], None, TextOptions()),
        (["1,a,b", "2,c,d"], None, TextOptions(delimiter=",")),
        (['"1"|"a"', '"2"|"b"'], None, TextOptions(addquotes=True)),
        (["1|a\\|b|c", "2|d|e|f"], None, TextOptions(escape=True)),
        (["id|email", "1|x@example.com"], ["id", "email"], TextOptions(header=True)),
        (["payment_id,card_number", "0,4111111111111111"], None, TextOptions(delimiter=",", header=True)),
        (["abc|def", "ghi|jkl"], None, TextOptions()),  # identifiers on every line: data, not a header
        ([], None, TextOptions()),
    ],
)
def test_sniff_options(lines: list[str], hint: list[str] | None, options: TextOptions) -> None:
    assert sniff_options(lines, hint) == options


def test_column_names_from_manifest_header_or_position() -> None:
    manifest = [ManifestColumn("id", "integer"), ManifestColumn("email", "character varying(64)")]
    assert column_names(2, manifest, None) == ["id", "email"]
    assert column_names(2, None, ["a", "b"]) == ["a", "b"]
    assert column_names(3, manifest, ["a", "b"]) == ["col_1", "col_2", "col_3"]


def test_column_batches_name_pad_and_batch_the_records() -> None:
    lines = ["id|email|note", "1|a@example.com|x", "2||", "3|c@example.com"]
    batches = list(column_batches(lines, TextOptions(header=True), None, batch_rows=2))
    assert [[(name, array.to_pylist()) for name, array in batch] for batch in batches] == [
        [("id", ["1", "2"]), ("email", ["a@example.com", None]), ("note", ["x", None])],
        [("id", ["3"]), ("email", ["c@example.com"]), ("note", [None])],
    ]
    by_position = list(column_batches(["1|2"], TextOptions(), None, batch_rows=10))
    assert [[(n, a.to_pylist()) for n, a in b] for b in by_position] == [[("col_1", ["1"]), ("col_2", ["2"])]]


def test_find_unloads_groups_by_prefix_and_needs_a_manifest_or_part_names() -> None:
    uris = [
        "s3://b/u/venue_0000_part_00.gz",
        "s3://b/u/venue_0001_part_00.gz",
        "s3://b/u/venue_manifest",
        "s3://b/u/pay/region=eu/0000_part_00",
        "s3://b/u/pay/region=us/0000_part_00",
        "s3://b/u/serial_000",  # PARALLEL OFF without a manifest: too ambiguous
        "s3://b/u/logs/app.log",
    ]
    read = {"s3://b/u/venue_manifest": VERBOSE}

    def dataset_of(uri: str) -> str:
        folder = uri.rpartition("/")[0]
        return (folder.rpartition("/")[0] if "=" in folder.rpartition("/")[2] else folder) + "/"

    found = find_unloads(uris, dataset_of, read.__getitem__)
    assert [(u.dataset, u.files, u.manifest_uri) for u in found] == [
        ("s3://b/u/pay/", ["s3://b/u/pay/region=eu/0000_part_00", "s3://b/u/pay/region=us/0000_part_00"], None),
        ("s3://b/u/venue_", ["s3://b/u/venue_0000_part_00.gz", "s3://b/u/venue_0001_part_00.gz"],
         "s3://b/u/venue_manifest"),
    ]  # fmt: skip
    assert found[1].manifest is not None and [c.name for c in found[1].manifest.columns or []] == [
        "venueid", "venuename", "price", "note",
    ]  # fmt: skip


def test_an_unreadable_manifest_is_a_problem() -> None:
    def fail(uri: str) -> str:
        raise OSError("denied")

    (found,) = find_unloads(["s3://b/u/x_0000_part_00", "s3://b/u/x_manifest"], lambda u: "s3://b/u/", fail)
    assert found.manifest == Manifest(problems=["manifest could not be read: OSError"])


def test_resolve_options_prefers_configured_values() -> None:
    head = ['"1"|"a"', '"2"|"b"']
    assert resolve_options({"delimiter": None, "null_as": "@NULL@", "escape": True}, head, None) == TextOptions(
        addquotes=True, escape=True, null_as="@NULL@"
    )
