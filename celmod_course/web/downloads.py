"""CSV downloads, streamed in chunks, with cells a spreadsheet never runs as formulas."""

import csv
import io
from itertools import islice

from django.http import StreamingHttpResponse

CHUNK_BYTES = 64 * 1024  # what the response hands the server at a time
ROWS_AT_ONCE = 500  # rows written to the chunk together
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def _cell(value):
    """A text a spreadsheet would run as a formula (= + - @, or a tab or return before one) is
    kept as text, with an apostrophe in front."""
    if isinstance(value, str) and value[:1] in FORMULA_STARTS:
        return "'" + value
    return value


def _safe(rows, text_columns):
    """The rows, with the cells of `text_columns` (indexes) that would run as formulas kept as
    text. Each column's distinct values are checked once: a poll's few options, say, or a
    question's text, repeat on row after row."""
    unsafe = {i for i in text_columns if any(_cell(v) is not v for v in {row[i] for row in rows})}
    if not unsafe:
        return rows
    return [[_cell(v) if i in unsafe else v for i, v in enumerate(row)] for row in rows]


def _chunks(header, rows, text_columns):
    """The CSV text of the header and the rows, in chunks of about `CHUNK_BYTES`: a response
    yielding each row on its own spends more on passing them on than on the rows."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(header)
    rows = iter(rows)
    while batch := list(islice(rows, ROWS_AT_ONCE)):
        writer.writerows(_safe(batch, text_columns))
        if buffer.tell() >= CHUNK_BYTES:
            yield buffer.getvalue()
            buffer.seek(0)
            buffer.truncate()
    yield buffer.getvalue()


def stream_csv(filename, header, rows, *, text_columns=None):
    """A download of `rows` (each a sequence of values in the order of `header`) as a CSV file.

    `text_columns` names the columns of free text (typed by staff or learners): only their cells
    are checked for formulas. By default every cell is; a column of numbers, dates, fixed labels
    or pseudonyms cannot start with a formula's sign.
    """
    text = [header.index(name) for name in (header if text_columns is None else text_columns)]
    response = StreamingHttpResponse(
        _chunks(header, rows, text), content_type="text/csv; charset=utf-8"
    )
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response
