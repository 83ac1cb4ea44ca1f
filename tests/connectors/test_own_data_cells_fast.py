"""The shortcuts the own-data import takes on large files read exactly what the slow ways read:
``parse_date``'s ``31-12-2024`` without strptime, and the Windows-1252 plausibility scan as one byte class."""

from __future__ import annotations

import unicodedata
from datetime import date, datetime, timedelta
from pathlib import Path

import pytest

from connectors.cells import _DATE_FORMATS, parse_date
from connectors.tabular import _CP1252_PUNCTUATION, CHUNK_BYTES, UnknownEncodingError, detect_encoding


def strptime_date(text: str) -> date | None:
    """What ``parse_date`` did for a text before the shortcut: each format in turn."""
    for fmt in _DATE_FORMATS:
        try:
            return datetime.strptime(text, fmt).date()
        except ValueError:
            continue
    return None


def test_day_month_year_dates_read_as_strptime_reads_them() -> None:
    days = [date(2023, 1, 1) + timedelta(days=i) for i in range(800)]
    texts = [f"{d:%d-%m-%Y}" for d in days] + ["29-02-2023", "31-04-2024", "00-01-2024", "01-13-2024", "12-31-2024",
                                                "01-01-0000", "31-12-9999", "1-2-2024", "2024-12-31", "31/12/2024"]
    for text in texts:
        try:
            got = parse_date(text)
        except ValueError:
            got = None
        assert got == strptime_date(text), text


def plausible(byte: int) -> bool:
    """The per-byte verdict the scan made before it became one byte class."""
    try:
        char = bytes([byte]).decode("cp1252")
    except UnicodeDecodeError:
        return False
    return char.isalpha() or char in _CP1252_PUNCTUATION or unicodedata.category(char) == "Sc"


@pytest.mark.parametrize("byte", [b for b in range(0x80, 0x100) if b not in (0x81, 0x8D, 0x8F, 0x90, 0x9D)])
def test_each_high_byte_is_judged_as_before_also_past_the_first_chunk(tmp_path: Path, byte: int) -> None:
    path = tmp_path / "export.csv"
    line = "Leverancier;Bedrag\r\nCaf\xe9 De Zwaan;1,00\r\n".encode("cp1252")
    head = line * (CHUNK_BYTES // len(line) + 1)  # the byte lands in the second chunk read
    path.write_bytes(head + b"X" + bytes([byte]) + b";2,00\r\n")
    if plausible(byte):
        assert detect_encoding(path) == "cp1252"
    else:
        row = head.count(b"\n") + 1  # the row of the first implausible byte, named with the byte
        with pytest.raises(UnknownEncodingError, match=f"row {row}, .*byte 0x{byte:02x} is neither UTF-8 nor Windows-1252"):
            detect_encoding(path)
