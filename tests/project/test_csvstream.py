"""The product's CSV files (``kasuhara/csvstream.py``, used by the queue's export and the audit
viewer's): what Excel opens — a BOM, CRLF rows, quoted line breaks — and no cell a spreadsheet would
run as a formula, sent in pieces."""

from __future__ import annotations

import csv
import datetime
import io

import pytest

from kasuhara import csvstream


def read(pieces) -> list[list[str]]:
    body = b"".join(pieces)
    assert body.startswith(b"\xef\xbb\xbf")
    return list(csv.reader(io.StringIO(body.decode("utf-8-sig"), newline="")))


@pytest.mark.parametrize("start", ["=", "+", "-", "@", "\t", "\r"])
def test_a_text_that_would_be_a_formula_is_kept_as_text(start):
    text = f"{start}HYPERLINK(\"http://example.invalid\")"
    assert csvstream.safe_text(text) == f"'{text}"
    table = read(csvstream.stream(["件名"], [[text]]))
    assert table[1] == [f"'{text}"]


def test_plain_values_are_kept_and_rows_end_with_crlf():
    moment = datetime.datetime(2026, 4, 1, 9, 5, 7)
    pieces = list(csvstream.stream(["No.", "件名", "日時", "空"], [[12, "窓口で、大声\n（二回）", moment, None]]))
    body = b"".join(pieces).decode("utf-8-sig")
    assert body.startswith("No.,件名,日時,空\r\n") and body.endswith("\r\n")
    assert read(pieces)[1] == ["12", "窓口で、大声\n（二回）", "2026-04-01 09:05", ""]
    seconds = read(csvstream.stream(["日時"], [[moment]], datetime_format="%Y-%m-%d %H:%M:%S"))
    assert seconds[1] == ["2026-04-01 09:05:07"]
    assert csvstream.safe_text("−5（全角のマイナス）") == "−5（全角のマイナス）"


def test_rows_are_sent_in_pieces_of_a_chunk():
    pieces = list(csvstream.stream(["n"], ([n] for n in range(5)), chunk=2))
    assert len(pieces) == 1 + 3  # the BOM and header, then 2 + 2 + 1 rows
    assert [row[0] for row in read(pieces)] == ["n", "0", "1", "2", "3", "4"]
