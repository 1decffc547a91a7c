"""CSV files as the product's exports write them, streamed piece by piece (``StreamingHttpResponse``).

- UTF-8 with a BOM (Excel reads Japanese text right), CRLF line ends, quoted where a value holds a
  comma, a quote or a line break.
- A text cell that begins with ``= + - @`` (or a tab / carriage return) is never a formula: it gets
  a leading ``'``, which a spreadsheet shows as text (``safe_text``).
- The BOM and the header are the first piece, then one piece per ``chunk`` rows: memory holds one
  piece whatever the number of rows.

Used by the queue's export (``incidents.exports``) and the audit viewer's (``audit.views``).
"""

from __future__ import annotations

import csv
import datetime
import io
from collections.abc import Iterable, Iterator

#: A text beginning with one of these would be a formula in a spreadsheet.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
#: Rows per piece sent.
CHUNK = 2000


def safe_text(value: str) -> str:
    """``value``, prefixed with ``'`` when a spreadsheet would read it as a formula."""
    return f"'{value}" if value.startswith(FORMULA_STARTS) else value


def cell(value: object, *, datetime_format: str = "%Y-%m-%d %H:%M") -> object:
    """One value as a CSV cell: nothing for None, a date-time as ``datetime_format`` (the caller
    gives it in local time), a text made formula-safe, anything else as it is."""
    if value is None:
        return ""
    if isinstance(value, datetime.datetime):
        return value.strftime(datetime_format)
    if isinstance(value, str):
        return safe_text(value)
    return value


def stream(header: Iterable[object], rows: Iterable[Iterable[object]], *, chunk: int = CHUNK,
           datetime_format: str = "%Y-%m-%d %H:%M") -> Iterator[bytes]:
    """The CSV file in pieces: the BOM and the header, then one piece per ``chunk`` rows."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow([safe_text(str(label)) for label in header])
    yield ("\ufeff" + buffer.getvalue()).encode("utf-8")
    buffer.seek(0)
    buffer.truncate()
    for n, cells in enumerate(rows, start=1):
        writer.writerow([cell(value, datetime_format=datetime_format) for value in cells])
        if n % chunk == 0:
            yield buffer.getvalue().encode("utf-8")
            buffer.seek(0)
            buffer.truncate()
    if buffer.tell():
        yield buffer.getvalue().encode("utf-8")
