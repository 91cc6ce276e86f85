"""Activities as documents: a commentary's page text, Markdown with front matter or a Word file
read into an `ActivityDraft` (one parser per format), built into a draft activity in one
transaction (`build.activity_import`), and any activity written back out as Markdown
(`markdown.activity_markdown`), which imports again unchanged."""

import math
from pathlib import PurePath

from .draft import DocumentError

MAX_BYTES = 2 * 1024 * 1024  # a commentary is some 20 kB of text, a Word file some 50 kB
FORMATS = {
    ".txt": "page text",
    ".md": "Markdown",
    ".markdown": "Markdown",
    ".docx": "Word",
}


MEGABYTE = 1024 * 1024


def check_size(size):
    """Refuse a file over `MAX_BYTES`, saying its size (rounded up) and the limit."""
    if size > MAX_BYTES:
        raise DocumentError(
            f"The file is {math.ceil(size / MEGABYTE * 10) / 10:.1f} MB; the import takes files "
            f"up to {MAX_BYTES // MEGABYTE} MB."
        )


def read(filename, data):
    """The draft in a file, its format told by its name's ending (.txt page text, .md Markdown,
    .docx Word); raises DocumentError when it cannot be read."""
    from . import markdown, pagetext, word

    suffix = PurePath(filename).suffix.lower()
    if suffix not in FORMATS:
        raise DocumentError(
            f'"{PurePath(filename).name}" is not a file the import reads: use .txt (the page '
            "text of a commentary), .md (Markdown with front matter) or .docx (Word)."
        )
    check_size(len(data))
    if suffix == ".docx":
        return word.parse(data)
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise DocumentError("The file is not UTF-8 text: save it as UTF-8 and try again.") from None
    return (markdown if FORMATS[suffix] == "Markdown" else pagetext).parse(text)


__all__ = ["FORMATS", "MAX_BYTES", "MEGABYTE", "DocumentError", "check_size", "read"]
