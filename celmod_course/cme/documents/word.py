"""Word (.docx) files written with headings and bold speaker labels, turned into semantic HTML
by mammoth and read by the Markdown format's rules."""

import io
import zipfile

import mammoth

from .draft import DocumentError


def parse(data):
    try:
        html = mammoth.convert_to_html(io.BytesIO(data)).value
    except (zipfile.BadZipFile, KeyError, ValueError):
        raise DocumentError("The file is not a Word document (.docx).") from None
    raise DocumentError(f"Word import is not finished ({len(html)} characters read).")
