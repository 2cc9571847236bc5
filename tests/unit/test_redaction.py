"""Error reasons never carry a detected value: redact() and safe_reason()."""

import io

import pyarrow as pa
import pyarrow.csv as pacsv
import pytest

from jobs.redaction import MAX_REASON_CHARS, redact, safe_reason

CARD = "4111111111111111"


def csv_error(data: bytes) -> pa.ArrowInvalid:
    """The real exception pyarrow raises on ragged CSV (no invalid_row_handler): it quotes the bad row."""
    with pytest.raises(pa.ArrowInvalid) as raised:
        pacsv.read_csv(io.BytesIO(data))
    return raised.value


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("card 4111111111111111", "card <redacted>"),
        ("card 4111 1111 1111 1111", "card <redacted>"),
        ("card 4111-1111-1111-1111", "card <redacted>"),
        ("ssn 536-90-4399", "ssn <redacted>"),
        ("ssn 536904399", "ssn <redacted>"),
        ("iban GB82WEST12345698765432", "iban <redacted>"),
        ("iban de89370400440532013000", "iban <redacted>"),
        ("mail jane.doe+x@example.co.uk", "mail <redacted>"),
        ("key AKIAIOSFODNN7EXAMPLE", "key <redacted>"),
        ("phone +1 (415) 555-0187", "phone +<redacted>"),
        ("on 2024-01-01", "on <redacted>"),
        ("row 1234 failed", "row <redacted> failed"),
    ],
)
def test_redact_hides_values(text: str, expected: str) -> None:
    assert redact(text) == expected


@pytest.mark.parametrize(
    "text",
    [
        "Expected 3 columns, got 4",
        "HTTP 404 after 12 retries",
        "version 1.2.3",
        "In CSV column #1: CSV conversion error",
        "no numbers at all",
    ],
)
def test_redact_keeps_short_harmless_numbers(text: str) -> None:
    assert redact(text) == text


def test_redact_hides_the_account_part_of_a_spaced_iban() -> None:
    redacted = redact("iban GB82 WEST 1234 5698 7654 32")
    assert all(group not in redacted for group in ("1234", "5698", "7654"))


def test_safe_reason_omits_the_row_quoted_by_a_pyarrow_csv_parse_error() -> None:
    error = csv_error(f"id,card,name\n1,{CARD},Ada\n2,{CARD},Bob,extra\n".encode())
    assert str(error) == f"CSV parse error: Expected 3 columns, got 4: 2,{CARD},Bob,extra"
    assert safe_reason(error) == "ArrowInvalid: CSV parse error: Expected 3 columns, got 4: <row omitted>"


@pytest.mark.parametrize(
    "row",
    [
        f"2,{CARD},x",
        "2,4111 1111 1111 1111,x",
        "2,536-90-4399,x",
        "2,GB82WEST12345698765432,x",
        "2,jane.doe@example.com,x",
        "2,AKIAIOSFODNN7EXAMPLE,x",
    ],
)
def test_safe_reason_of_a_pyarrow_csv_parse_error_keeps_no_value(row: str) -> None:
    error = csv_error(f"id,value\n1,a\n{row}\n".encode())
    value = row.split(",")[1]
    assert value in str(error)
    reason = safe_reason(error)
    assert reason.startswith("ArrowInvalid: CSV parse error: Expected 2 columns, got 3: ")
    assert value not in reason
    assert value.replace(" ", "").replace("-", "") not in reason.replace(" ", "").replace("-", "")


@pytest.mark.parametrize(
    ("exc", "expected"),
    [
        (
            ValueError('JSON parse error: Column(/email) changed from string to number in row 5: {"email": 41}'),
            "ValueError: JSON parse error: Column(/email) changed from string to number in row 5: <row omitted>",
        ),
        (ValueError("bad line: jane@example.com,Ada"), "ValueError: bad line: <row omitted>"),
        (ValueError("could not convert value: 'abc'"), "ValueError: could not convert value: <row omitted>"),
        (
            pa.ArrowInvalid(f"In CSV column #1: CSV conversion error to int64: invalid value '{CARD}'"),
            "ArrowInvalid: In CSV column #1: CSV conversion error to int64: invalid value '<redacted>'",
        ),
        (ValueError(f"first line {CARD}\nsecond line jane@example.com"), "ValueError: first line <redacted>"),
        (KeyError("jane@example.com"), "KeyError: '<redacted>'"),
        (ValueError(""), "ValueError"),
        (ValueError("   "), "ValueError"),
        (OSError("Truncated compressed stream"), "OSError: Truncated compressed stream"),
    ],
)
def test_safe_reason(exc: BaseException, expected: str) -> None:
    assert safe_reason(exc) == expected


def test_safe_reason_is_cut_to_the_maximum_length() -> None:
    reason = safe_reason(ValueError("x" * 1000))
    assert reason == ("ValueError: " + "x" * 1000)[:MAX_REASON_CHARS]
    assert len(reason) == MAX_REASON_CHARS == 300
