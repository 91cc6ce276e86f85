"""CSV downloads, streamed row by row, with cells a spreadsheet never runs as formulas."""

import csv
from itertools import chain

from django.http import StreamingHttpResponse


class _Echo:
    """A file-like object that hands back what is written, for streaming csv.writer rows."""

    def write(self, value):
        return value


def _cell(value):
    """A text a spreadsheet would run as a formula (= + - @, or a tab or return before one) is
    kept as text, with an apostrophe in front."""
    if isinstance(value, str) and value[:1] in ("=", "+", "-", "@", "\t", "\r"):
        return "'" + value
    return value


def stream_csv(filename, header, rows):
    writer = csv.writer(_Echo())
    response = StreamingHttpResponse(
        (writer.writerow([_cell(value) for value in row]) for row in chain([header], rows)),
        content_type="text/csv; charset=utf-8",
    )
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response
