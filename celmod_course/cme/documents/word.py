"""Word (.docx) files written with headings and bold speaker labels: mammoth turns them into
semantic HTML, whose headings, paragraphs and list items are read by the rules the Markdown
format uses (`markdown.assemble`). Word has no front matter, so faculty are the distinct
speakers, the dates are "Released: …" and "Expiration: …" paragraphs, and under Your Thoughts
the paragraph after the prompt is the poll's question, with its options as a list."""

import io
import zipfile
from html.parser import HTMLParser

import mammoth

from . import MEGABYTE
from .draft import ActivityDraft, DocumentError
from .markdown import Block, assemble

# Word's Title style is the activity's title, as Heading 1 is.
STYLE_MAP = "p[style-name='Title'] => h1:fresh"
BLOCKS = {"h1", "h2", "h3", "h4", "h5", "h6", "p", "li"}
NOT_WORD = "The file is not a Word document (.docx)."
MAX_UNPACKED = 20 * MEGABYTE  # a long commentary's document.xml is well under 1 MB


class _Reader(HTMLParser):
    """mammoth's HTML as blocks: each heading, paragraph and list item with its text, and a
    paragraph's leading bold text apart, where a speaker label is."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.blocks = []
        self.tag = None
        self.parts = []  # (bold, text)
        self.bold = 0

    def handle_starttag(self, tag, attrs):
        if tag in BLOCKS:
            self._close()
            self.tag, self.parts = tag, []
        elif tag in ("strong", "b"):
            self.bold += 1
        elif tag == "br":
            self.parts.append((bool(self.bold), "\n"))

    def handle_endtag(self, tag):
        if tag in ("strong", "b"):
            self.bold -= 1
        elif tag == self.tag:
            self._close()

    def handle_data(self, data):
        if self.tag:
            self.parts.append((bool(self.bold), data))

    def _close(self):
        if self.tag is None:
            return
        tag, parts, self.tag = self.tag, self.parts, None
        text = "".join(part for _, part in parts).strip()
        if not text:
            return
        if tag.startswith("h"):
            self.blocks.append(Block("heading", text, level=int(tag[1])))
        elif tag == "li":
            self.blocks.append(Block("item", text))
        else:
            self.blocks.append(_paragraph(parts, text))


def _paragraph(parts, text):
    """A paragraph, its speaker the leading bold text when that ends with a colon (inside the
    bold or just after it)."""
    leading = 0
    while leading < len(parts) and parts[leading][0]:
        leading += 1
    bold = "".join(part for _, part in parts[:leading])
    rest = "".join(part for _, part in parts[leading:])
    label = bold.strip()
    if label.endswith(":") and len(label) > 1:
        return Block("paragraph", rest.strip(), speaker=label[:-1].strip())
    if label and rest.startswith(":"):
        return Block("paragraph", rest[1:].strip(), speaker=label)
    return Block("paragraph", text)


def parse(data):
    """An ActivityDraft from a .docx file's bytes; raises DocumentError when it is no Word file
    or no commentary."""
    if not data:
        raise DocumentError("The file is empty.")
    try:
        unpacked = sum(entry.file_size for entry in zipfile.ZipFile(io.BytesIO(data)).infolist())
    except (zipfile.BadZipFile, OSError, ValueError):
        raise DocumentError(NOT_WORD) from None
    if unpacked > MAX_UNPACKED:
        raise DocumentError(
            f"The Word file unpacks to {unpacked // MEGABYTE} MB; the import takes files that "
            f"unpack to {MAX_UNPACKED // MEGABYTE} MB at most."
        )
    try:
        html = mammoth.convert_to_html(io.BytesIO(data), style_map=STYLE_MAP).value
    except Exception:  # a damaged file fails in the zip, XML or mammoth's reading alike
        raise DocumentError(NOT_WORD) from None
    reader = _Reader()
    reader.feed(html)
    reader.close()
    reader._close()
    draft = ActivityDraft()
    assemble(draft, reader.blocks, poll_from_text=True)
    draft.speakers_from_paragraphs()
    return draft
