"""ObjectReader over local files: format and compression decisions, exact values read, and the read report."""

import bz2
import codecs
import gzip
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.fs as pafs
import pyarrow.parquet as pq
import pytest
import zstandard

import jobs.readers
from classifiers.errors import SourceError
from jobs.formats import guess_from_name
from jobs.readers import Limits, ObjectReader, ReadReport, UnsupportedObject
from tests.helpers import read_whole

CSV = b"id,zip,name\n1,00123,Ada\n2,0042,Bob\n"


def reader_for(tmp_path: Path, name: str, data: bytes, **limits: Any) -> ObjectReader:
    path = tmp_path / name
    path.write_bytes(data)
    options = {"rows": None, "bytes": None, **limits}
    return ObjectReader(pafs.LocalFileSystem(), str(path), guess_from_name(name), Limits(**options))


def read_columns(tmp_path: Path, name: str, data: bytes, **limits: Any) -> tuple[dict[str, list[Any]], ReadReport]:
    """Open and read a structured object; values of every batch are concatenated per column."""
    reader = reader_for(tmp_path, name, data, **limits)
    assert reader.open().structured
    values: dict[str, list[Any]] = {}
    for columns in reader.columns():
        for column, array in columns:
            values.setdefault(column, []).extend(array.to_pylist())
    return values, reader.report


def read_lines(tmp_path: Path, name: str, data: bytes, **limits: Any) -> tuple[list[list[str]], ReadReport]:
    """Open and read a text object; returns the line batches as lists."""
    reader = reader_for(tmp_path, name, data, **limits)
    assert not reader.open().structured
    return [batch.to_pylist() for batch in reader.lines()], reader.report


def report(fmt: str, rows: int, bytes_read: int, columns: list[str] | None = None, **fields: Any) -> ReadReport:
    return ReadReport(format=fmt, rows=rows, bytes_read=bytes_read, columns=columns or [], **fields)


# --- CSV and TSV -----------------------------------------------------------------------------------------------


def test_csv_columns_are_strings_with_leading_zeros_kept(tmp_path: Path) -> None:
    values, got = read_columns(tmp_path, "people.csv", CSV)
    assert values == {"id": ["1", "2"], "zip": ["00123", "0042"], "name": ["Ada", "Bob"]}
    assert got == report("csv", 2, len(CSV), ["id", "zip", "name"])


def test_tsv_is_split_on_tabs(tmp_path: Path) -> None:
    data = b"id\tfull name\n1\tAda Lovelace, Countess\n"
    values, got = read_columns(tmp_path, "people.tsv", data)
    assert values == {"id": ["1"], "full name": ["Ada Lovelace, Countess"]}
    assert got == report("tsv", 1, len(data), ["id", "full name"])


def test_csv_quoted_newlines_stay_inside_the_value(tmp_path: Path) -> None:
    data = b'id,note\n1,"line one\nline two"\n2,plain\n'
    values, got = read_columns(tmp_path, "notes.csv", data)
    assert values == {"id": ["1", "2"], "note": ["line one\nline two", "plain"]}
    assert got == report("csv", 2, len(data), ["id", "note"])


def test_csv_crlf_line_endings_are_not_part_of_values(tmp_path: Path) -> None:
    data = b"id,name\r\n1,Ada\r\n2,Bob\r\n"
    values, got = read_columns(tmp_path, "crlf.csv", data)
    assert values == {"id": ["1", "2"], "name": ["Ada", "Bob"]}
    assert got == report("csv", 2, len(data), ["id", "name"])


def test_csv_utf8_bom_is_not_part_of_the_first_column_name(tmp_path: Path) -> None:
    data = codecs.BOM_UTF8 + b"id,name\n1,Ada\n"
    values, got = read_columns(tmp_path, "bom.csv", data)
    assert values == {"id": ["1"], "name": ["Ada"]}
    assert got.columns == ["id", "name"]


def test_csv_ragged_rows_are_counted_as_malformed_and_skipped(tmp_path: Path) -> None:
    data = b"a,b\n1,2\n3,4,5\n6\n7,8\n"
    values, got = read_columns(tmp_path, "ragged.csv", data)
    assert values == {"a": ["1", "7"], "b": ["2", "8"]}
    assert got == report("csv", 2, len(data), ["a", "b"], malformed_rows=2)


def test_csv_empty_and_duplicate_header_names_are_made_unique(tmp_path: Path) -> None:
    data = b"name,,name, \n1,2,3,4\n"
    values, got = read_columns(tmp_path, "dup.csv", data)
    assert values == {"name": ["1"], "column_2": ["2"], "name_2": ["3"], "column_4": ["4"]}
    assert got.columns == ["name", "column_2", "name_2", "column_4"]


def test_csv_rows_limit_truncates(tmp_path: Path) -> None:
    data = b"n\n" + b"".join(b"%d\n" % i for i in range(10))
    values, got = read_columns(tmp_path, "ten.csv", data, rows=4)
    assert values == {"n": ["0", "1", "2", "3"]}
    assert (got.rows, got.truncated) == (4, True)


def test_csv_with_exactly_the_row_limit_is_not_truncated(tmp_path: Path) -> None:
    data = b"n\n0\n1\n2\n3\n"
    values, got = read_columns(tmp_path, "four.csv", data, rows=4)
    assert values == {"n": ["0", "1", "2", "3"]}
    assert (got.rows, got.truncated) == (4, False)


def test_csv_with_only_a_header_line_yields_no_rows(tmp_path: Path) -> None:
    values, got = read_columns(tmp_path, "header.csv", b"a,b\n")
    assert values == {}
    assert (got.rows, got.truncated, got.malformed_rows) == (0, False, 0)


def test_csv_with_only_a_header_and_no_newline_yields_no_rows(tmp_path: Path) -> None:
    values, got = read_columns(tmp_path, "header.csv", b"a,b")
    assert values == {}
    assert (got.rows, got.truncated) == (0, False)


def test_csv_in_utf16_is_skipped_with_a_clear_reason(tmp_path: Path) -> None:
    with pytest.raises(UnsupportedObject, match=r"^UTF-16 encoded csv is not supported yet \(only text is\)$"):
        read_columns(tmp_path, "u16.csv", "id,email\n1,x@y.com\n".encode("utf-16"))


# --- compression -------------------------------------------------------------------------------------------------

COMPRESSORS = [
    ("gz", "gzip", gzip.compress),
    ("bz2", "bz2", bz2.compress),
    ("zst", "zstd", zstandard.ZstdCompressor().compress),
]


@pytest.mark.parametrize(("suffix", "codec", "compress"), COMPRESSORS)
def test_compressed_csv_is_decompressed_and_bytes_read_is_the_compressed_size(
    tmp_path: Path, suffix: str, codec: str, compress: Any
) -> None:
    data = compress(CSV)
    values, got = read_columns(tmp_path, f"people.csv.{suffix}", data)
    assert values == {"id": ["1", "2"], "zip": ["00123", "0042"], "name": ["Ada", "Bob"]}
    assert got == report("csv", 2, len(data), ["id", "zip", "name"], compression=codec)


@pytest.mark.parametrize(("suffix", "codec", "compress"), COMPRESSORS)
def test_compressed_text_is_decompressed(tmp_path: Path, suffix: str, codec: str, compress: Any) -> None:
    data = compress(b"first line\nsecond line\n")
    batches, got = read_lines(tmp_path, f"app.log.{suffix}", data)
    assert batches == [["first line", "second line"]]
    assert got == report("text", 2, len(data), compression=codec)


def test_concatenated_gzip_members_are_all_read(tmp_path: Path) -> None:
    data = gzip.compress(b"a\n") + gzip.compress(b"b\n")
    batches, got = read_lines(tmp_path, "rotated.log.gz", data)
    assert batches == [["a", "b"]]
    assert (got.rows, got.bytes_read) == (2, len(data))


def test_gzip_content_without_gz_in_the_name_is_detected_from_magic_with_a_note(tmp_path: Path) -> None:
    data = gzip.compress(b"id,name\n1,Ada\n")
    values, got = read_columns(tmp_path, "export.csv", data)
    assert values == {"id": ["1"], "name": ["Ada"]}
    assert got == report(
        "csv",
        1,
        len(data),
        ["id", "name"],
        compression="gzip",
        notes=["content is gzip-compressed although the name does not say so"],
    )


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"id,name\n1,Ada\n", "named as gzip but the content is not compressed"),
        (zstandard.ZstdCompressor().compress(b"id\n1\n"), "named as gzip but the content is compressed with zstd"),
    ],
)
def test_csv_gz_that_is_not_gzip_is_a_source_error(tmp_path: Path, data: bytes, message: str) -> None:
    reader = reader_for(tmp_path, "people.csv.gz", data)
    with pytest.raises(SourceError) as raised:
        reader.open()
    assert type(raised.value) is SourceError
    assert str(raised.value) == message


# --- JSON --------------------------------------------------------------------------------------------------------


def test_json_lines_nested_objects_and_lists_are_flattened(tmp_path: Path) -> None:
    data = (
        b'{"id": 1, "customer": {"email": "a@example.com", "address": {"city": "Paris"}}, "tags": ["x", "y"]}\n'
        b'{"id": 2, "customer": {"email": "b@example.com", "address": {"city": "Rome"}}, "tags": ["z"]}\n'
    )
    values, got = read_columns(tmp_path, "orders.jsonl", data)
    assert values == {
        "id": [1, 2],
        "customer.email": ["a@example.com", "b@example.com"],
        "customer.address.city": ["Paris", "Rome"],
        "tags[]": ["x", "y", "z"],
    }
    assert got == report("jsonl", 2, len(data), ["id", "customer.email", "customer.address.city", "tags[]"])


def test_json_lines_list_of_objects_is_flattened(tmp_path: Path) -> None:
    data = b'{"items": [{"sku": "A1"}, {"sku": "B2"}]}\n{"items": []}\n'
    values, got = read_columns(tmp_path, "items.ndjson", data)
    assert values == {"items[].sku": ["A1", "B2"]}
    assert (got.rows, got.columns) == (2, ["items[].sku"])


def test_json_array_document_is_read_as_records(tmp_path: Path) -> None:
    data = b'[\n  {"id": 1, "name": "Ada"},\n  {"id": 2, "name": "Bob"}\n]\n'
    values, got = read_columns(tmp_path, "people.json", data)
    assert values == {"id": [1, 2], "name": ["Ada", "Bob"]}
    assert got == report("jsonl", 2, len(data), ["id", "name"])


def test_json_array_document_respects_the_rows_limit(tmp_path: Path) -> None:
    data = b"[" + b",".join(b'{"n": %d}' % i for i in range(10)) + b"]"
    values, got = read_columns(tmp_path, "many.json", data, rows=3, batch_rows=2)
    assert values == {"n": [0, 1, 2]}
    assert (got.rows, got.truncated) == (3, True)


def test_json_array_of_scalars_is_a_source_error(tmp_path: Path) -> None:
    reader = reader_for(tmp_path, "numbers.json", b"[1, 2, 3]")
    reader.open()
    with pytest.raises(SourceError, match=r"^JSON document is not an array of objects$"):
        list(reader.columns())


def test_json_array_document_keeps_keys_missing_from_the_first_record(tmp_path: Path) -> None:
    values, got = read_columns(tmp_path, "people.json", b'[{"id": 1}, {"id": 2, "email": "x@example.com"}]')
    assert values == {"id": [1, 2], "email": [None, "x@example.com"]}
    assert got.columns == ["id", "email"]


def test_all_null_json_field_is_listed_in_report_columns(tmp_path: Path) -> None:
    _, got = read_columns(tmp_path, "people.jsonl", b'{"id": 1, "note": null}\n')
    assert got.columns == ["id", "note"]


def test_file_without_extension_starting_with_a_brace_is_json_lines(tmp_path: Path) -> None:
    data = b'{"user": "ada"}\n{"user": "bob"}\n'
    values, got = read_columns(tmp_path, "README", data)
    assert values == {"user": ["ada", "bob"]}
    assert got == report("jsonl", 2, len(data), ["user"])


# --- Parquet -----------------------------------------------------------------------------------------------------


def write_parquet(tmp_path: Path, rows: int = 30, row_group_size: int = 10) -> tuple[Path, pq.FileMetaData]:
    table = pa.table(
        {"id": list(range(rows)), "email": [f"user{i}@example.com" for i in range(rows)]},
    )
    path = tmp_path / "people.snappy.parquet"
    pq.write_table(table, path, row_group_size=row_group_size)
    return path, pq.ParquetFile(path).metadata


def compressed_size(metadata: pq.FileMetaData, row_groups: int) -> int:
    return sum(
        metadata.row_group(g).column(c).total_compressed_size
        for g in range(row_groups)
        for c in range(metadata.num_columns)
    )


def test_parquet_with_several_row_groups_is_read_whole(tmp_path: Path) -> None:
    path, metadata = write_parquet(tmp_path)
    assert metadata.num_row_groups == 3
    values, got = read_columns(tmp_path, path.name, path.read_bytes(), batch_rows=4)
    assert values == {"id": list(range(30)), "email": [f"user{i}@example.com" for i in range(30)]}
    assert got == report("parquet", 30, compressed_size(metadata, 3), ["id", "email"])


def test_parquet_rows_limit_stops_after_the_row_group_reaching_it(tmp_path: Path) -> None:
    path, metadata = write_parquet(tmp_path)
    values, got = read_columns(tmp_path, path.name, path.read_bytes(), rows=15)
    assert values == {"id": list(range(15)), "email": [f"user{i}@example.com" for i in range(15)]}
    assert got == report(
        "parquet", 15, compressed_size(metadata, 2), ["id", "email"], truncated=True, sampling="first 15 rows"
    )


def selected_size(metadata: pq.FileMetaData, row_groups: list[int]) -> int:
    return sum(
        metadata.row_group(g).column(c).total_compressed_size for g in row_groups for c in range(metadata.num_columns)
    )


def test_parquet_sampling_reads_row_groups_spread_over_the_file_sharing_the_row_limit(tmp_path: Path) -> None:
    path, metadata = write_parquet(tmp_path, rows=100, row_group_size=10)
    values, got = read_columns(tmp_path, path.name, path.read_bytes(), rows=20, row_groups=4)
    ids = [*range(0, 5), *range(30, 35), *range(60, 65), *range(90, 95)]
    assert values == {"id": ids, "email": [f"user{i}@example.com" for i in ids]}
    assert got == report(
        "parquet",
        20,
        selected_size(metadata, [0, 3, 6, 9]),
        ["id", "email"],
        truncated=True,
        sampling="row groups 1, 4, 7, 10 of 10, first 5 rows of each",
    )


def test_parquet_rows_per_row_group_is_configurable(tmp_path: Path) -> None:
    path, metadata = write_parquet(tmp_path, rows=100, row_group_size=10)
    values, got = read_columns(tmp_path, path.name, path.read_bytes(), rows=50, row_groups=2, rows_per_row_group=2)
    assert values["id"] == [0, 1, 90, 91]
    assert got == report(
        "parquet",
        4,
        selected_size(metadata, [0, 9]),
        ["id", "email"],
        truncated=True,
        sampling="row groups 1, 10 of 10, first 2 rows of each",
    )


def test_parquet_with_few_small_row_groups_is_read_whole(tmp_path: Path) -> None:
    path, metadata = write_parquet(tmp_path, rows=30, row_group_size=10)
    values, got = read_columns(tmp_path, path.name, path.read_bytes(), rows=300, row_groups=4)
    assert values["id"] == list(range(30))
    assert got == report("parquet", 30, compressed_size(metadata, 3), ["id", "email"])


def test_parquet_binary_column_is_listed_in_report_columns_but_not_scanned(tmp_path: Path) -> None:
    path = tmp_path / "photos.parquet"
    pq.write_table(pa.table({"id": ["1"], "photo": pa.array([b"\x89PNG"], pa.binary())}), path)
    values, got = read_columns(tmp_path, path.name, path.read_bytes())
    assert values == {"id": ["1"]}
    assert got.columns == ["id", "photo"]


def test_parquet_name_without_parquet_content_is_a_source_error(tmp_path: Path) -> None:
    reader = reader_for(tmp_path, "people.parquet", b"id,name\n1,Ada\n")
    with pytest.raises(SourceError) as raised:
        reader.open()
    assert str(raised.value) == "named .parquet but does not start with the Parquet magic bytes 'PAR1'"


def test_parquet_content_without_a_telling_name_is_detected(tmp_path: Path) -> None:
    path, _ = write_parquet(tmp_path)
    reader = reader_for(tmp_path, "part-00000", path.read_bytes())
    assert (reader.open().format, reader.report.compression) == ("parquet", None)


# --- text --------------------------------------------------------------------------------------------------------


def test_text_crlf_line_endings_are_stripped(tmp_path: Path) -> None:
    data = b"alpha\r\nbeta\r\n\r\ngamma"
    batches, got = read_lines(tmp_path, "notes.txt", data)
    assert batches == [["alpha", "beta", "", "gamma"]]
    assert got == report("text", 4, len(data))


def test_text_utf16_with_bom_is_decoded(tmp_path: Path) -> None:
    data = "héllo wörld\nzwei\n".encode("utf-16")
    batches, got = read_lines(tmp_path, "notes.txt", data)
    assert batches == [["héllo wörld", "zwei"]]
    assert got == report("text", 2, len(data))


@pytest.mark.parametrize("codec", ["utf-16-le", "utf-16-be"])
def test_text_utf16_without_bom_is_decoded_with_a_note(tmp_path: Path, codec: str) -> None:
    data = "no BOM\nzwei\n".encode(codec)
    batches, got = read_lines(tmp_path, "notes.txt", data)
    assert batches == [["no BOM", "zwei"]]
    assert got == report("text", 2, len(data), notes=[f"{codec.upper()} text without a byte order mark"])


def test_text_invalid_utf8_bytes_are_replaced(tmp_path: Path) -> None:
    data = b"ok\nbad \xff\xfe byte\n"
    batches, got = read_lines(tmp_path, "app.log", data)
    assert batches == [["ok", "bad \ufffd\ufffd byte"]]
    assert got == report("text", 2, len(data))


def test_text_utf8_bom_is_not_part_of_the_first_line(tmp_path: Path) -> None:
    batches, _ = read_lines(tmp_path, "notes.txt", codecs.BOM_UTF8 + b"hello\n")
    assert batches == [["hello"]]


def test_text_larger_than_the_byte_limit_is_truncated(tmp_path: Path) -> None:
    data = b"line\n" * 10
    batches, got = read_lines(tmp_path, "big.txt", data, bytes=12)
    assert batches == [["line", "line", "li"]]
    assert got == report("text", 3, len(data), truncated=True, sampling="first 12 bytes")


def test_text_byte_limit_stops_reading_storage_after_the_chunk_reaching_it(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(jobs.readers, "TEXT_CHUNK_BYTES", 16)
    batches, got = read_lines(tmp_path, "big.txt", b"line\n" * 20, bytes=40)
    assert batches == [["line"] * 8]
    assert got == report("text", 8, 48, truncated=True, sampling="first 40 bytes")


def test_text_byte_limit_counts_decompressed_bytes(tmp_path: Path) -> None:
    data = gzip.compress(b"line\n" * 10)
    batches, got = read_lines(tmp_path, "big.txt.gz", data, bytes=12)
    assert batches == [["line", "line", "li"]]
    assert got == report("text", 3, len(data), compression="gzip", truncated=True, sampling="first 12 bytes")


def test_text_batches_follow_batch_rows(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(jobs.readers, "TEXT_CHUNK_BYTES", 10)  # two lines per chunk
    batches, got = read_lines(tmp_path, "a.txt", b"".join(b"l%03d\n" % i for i in range(6)), batch_rows=2)
    assert batches == [["l000", "l001"], ["l002", "l003"], ["l004", "l005"]]
    assert got.rows == 6


def test_line_longer_than_max_line_chars_is_split_into_pieces(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(jobs.readers, "MAX_LINE_CHARS", 4)
    data = b"abcdefghij\nxy\n"
    batches, got = read_lines(tmp_path, "long.txt", data)
    assert batches == [["abcd", "efgh", "ij", "xy"]]
    assert got == report("text", 4, len(data))


# --- objects that are not read -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "data", "message"),
    [
        ("empty.csv", b"", "empty object"),
        ("notes.txt", b"\x00\x01\x02\x03binary\x00", "binary content that is not a supported format"),
        (
            "archive.gz",
            gzip.compress(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR"),
            "binary content that is not a supported format",
        ),
        ("logo.png", b"\x89PNG\r\n", "unsupported format '.png' (image)"),
        ("data.avro", b"Obj\x01", "unsupported format '.avro' (Avro is not supported yet)"),
    ],
)
def test_unsupported_objects_raise_with_reason(tmp_path: Path, name: str, data: bytes, message: str) -> None:
    reader = reader_for(tmp_path, name, data)
    with pytest.raises(UnsupportedObject) as raised:
        reader.open()
    assert str(raised.value) == message


# --- hostile input (issue 9): precise reasons, nothing lost that can be read -------------------------------------


@pytest.mark.parametrize(
    ("name", "data", "message"),
    [
        ("app.log.gz", b"\x1f\x8b\x08\x00" + bytes(range(256)) * 4, "gzip data is corrupt (invalid block type)"),
        ("app.log.bz2", b"BZh9" + bytes(range(256)), "bzip2 data is corrupt (invalid bz2 data)"),
        ("app.log.zst", zstandard.ZstdCompressor().compress(b"x" * 100)[:-3], "zstd data is truncated: the object "
         "ends inside the compressed stream"),
        ("people.parquet", b"PAR1" + b"\x00" * 20,
         "no Parquet footer at the end: the file is truncated or not Parquet"),
        ("people.parquet", b"PAR1" + b"\x00" * 20 + b"\xff\xff\x00\x00PAR1",
         "damaged Parquet footer: it claims more metadata than the file holds"),
        ("doc.json", b"[" * 101 + b"]" * 101, "JSON nested more than 100 levels deep"),
        ("doc.json", b'{"a":' * 101 + b"1" + b"}" * 101 + b"\n", "a JSON record nested more than 100 levels deep"),
        ("doc.json", b'[{"a": 1}, ', "not a valid JSON document: Expecting value (line 1, column 12)"),
    ],
)  # fmt: skip
def test_damaged_content_raises_a_source_error_naming_the_damage(
    tmp_path: Path, name: str, data: bytes, message: str
) -> None:
    with pytest.raises(SourceError) as raised:
        read_whole(reader_for(tmp_path, name, data))
    assert str(raised.value) == message


def test_lines_decoded_before_a_truncated_stream_are_read_before_the_error(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(jobs.readers, "TEXT_CHUNK_BYTES", 64)
    text = b"".join(b"line %04d of the log\n" % i for i in range(2000))
    reader = reader_for(tmp_path, "app.log.gz", gzip.compress(text, mtime=0)[:-30])
    reader.open()
    lines: list[str] = []
    with pytest.raises(SourceError, match=r"^gzip data is truncated: the object ends inside the compressed stream$"):
        for batch in reader.lines():
            lines.extend(batch.to_pylist())
    assert lines == [f"line {i:04d} of the log" for i in range(len(lines))] and len(lines) > 1900


def test_parquet_under_a_csv_name_is_read_as_parquet_with_a_note(tmp_path: Path) -> None:
    path = tmp_path / "source.parquet"
    pq.write_table(pa.table({"id": ["1", "2"]}), path)
    values, got = read_columns(tmp_path, "people.csv", path.read_bytes())
    assert values == {"id": ["1", "2"]}
    assert (got.format, got.notes) == ("parquet", ["content is Parquet although the name says csv"])


def test_invalid_utf8_in_a_csv_is_replaced_with_a_note_instead_of_failing_the_object(tmp_path: Path) -> None:
    values, got = read_columns(tmp_path, "people.csv", b"id,name\n1,Ad\xff\n2,Bob\n")
    assert values == {"id": ["1", "2"], "name": ["Ad\ufffd", "Bob"]}
    assert got.notes == ["invalid UTF-8 bytes replaced"]


def test_a_csv_with_a_stray_nul_is_read_not_skipped_as_binary(tmp_path: Path) -> None:
    values, _ = read_columns(tmp_path, "people.csv", b"id,name\n1,A\x00da\n2,Bob\n" + b"3,Carol\n" * 10)
    assert values["name"][:2] == ["A\x00da", "Bob"]


def test_a_first_record_longer_than_a_block_is_read_with_a_larger_block(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(jobs.readers, "BLOCK_BYTES", 1024)
    long = "x" * 5000
    values, got = read_columns(tmp_path, "notes.csv", f"id,note\n1,{long}\n2,short\n".encode())
    assert values == {"id": ["1", "2"], "note": [long, "short"]}
    assert got.rows == 2


def test_a_record_longer_than_the_largest_block_is_a_precise_error(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(jobs.readers, "BLOCK_BYTES", 1 << 20)
    monkeypatch.setattr(jobs.readers, "MAX_BLOCK_BYTES", 1 << 20)
    reader = reader_for(tmp_path, "notes.csv", b"id,note\n1," + b"x" * (3 << 20) + b"\n")
    with pytest.raises(SourceError, match=r"^a record too long to read in blocks of 1 MiB$"):
        read_whole(reader)


def test_a_json_line_longer_than_the_record_limit_is_refused_before_pyarrow_parses_it(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(jobs.readers, "MAX_RECORD_BYTES", 100)
    monkeypatch.setattr(jobs.readers, "CHECK_READ_BYTES", 64)  # the line arrives in pieces, as a long one does
    # Deep nesting after the limit: never reached, since the line is refused first.
    reader = reader_for(
        tmp_path, "doc.json", b'{"v": "' + b"x" * 200 + b'", "w": ' + b"[" * 50000 + b"]" * 50000 + b"}\n"
    )
    with pytest.raises(SourceError, match=r"^a record too long to read in blocks of 8 MiB$"):
        read_whole(reader)


def test_deep_nesting_split_across_reads_is_still_refused(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(jobs.readers, "CHECK_READ_BYTES", 64)  # the depth check sees the line in many pieces
    reader = reader_for(tmp_path, "doc.json", b'{"ok": 1}\n' + b'{"a":' * 500 + b"1" + b"}" * 500)  # no final newline
    with pytest.raises(SourceError, match=r"^a JSON record nested more than 100 levels deep$"):
        read_whole(reader)


def test_an_empty_stream_once_decompressed_is_skipped_with_its_reason(tmp_path: Path) -> None:
    with pytest.raises(UnsupportedObject, match=r"^empty once gzip-decompressed$"):
        reader_for(tmp_path, "empty.csv.gz", gzip.compress(b"")).open()


def test_an_object_deleted_since_listing_is_skipped_and_a_changed_one_is_noted(tmp_path: Path) -> None:
    missing = ObjectReader(
        pafs.LocalFileSystem(), str(tmp_path / "gone.csv"), guess_from_name("gone.csv"), Limits(None, None)
    )
    with pytest.raises(jobs.readers.ObjectGone, match=r"^deleted since it was listed$"):
        missing.open()
    path = tmp_path / "people.csv"
    path.write_bytes(CSV)
    changed = ObjectReader(
        pafs.LocalFileSystem(), str(path), guess_from_name("people.csv"), Limits(None, None), None, 10
    )
    assert changed.open().notes == [
        f"changed after it was listed (10 bytes then, {len(CSV)} when read); the content read is the newer one"
    ]


def test_a_csv_header_with_a_lone_carriage_return_ends_there_as_pyarrow_reads_it(tmp_path: Path) -> None:
    values, _ = read_columns(tmp_path, "people.csv", b"id\rname\n1\n")
    assert values == {"id": ["name", "1"]}
