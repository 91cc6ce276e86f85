"""Reading pages as a person would: the text of each block element, whitespace folded."""

from html.parser import HTMLParser

BLOCKS = {"p", "li", "h1", "h2", "h3", "dd", "dt", "td", "th", "legend", "label", "caption"}


class _BlockText(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.stack = []
        self.blocks = []

    def handle_starttag(self, tag, attrs):
        if tag in BLOCKS:
            self.stack.append([])

    def handle_endtag(self, tag):
        if tag in BLOCKS and self.stack:
            text = " ".join("".join(self.stack.pop()).split())
            self.blocks.append(text)
            if self.stack:
                self.stack[-1].append(text)

    def handle_data(self, data):
        if self.stack:
            self.stack[-1].append(data)


def block_texts_of(html):
    """The text of every paragraph, list item, heading and cell of some HTML, in order."""
    parser = _BlockText()
    parser.feed(html)
    return parser.blocks


def block_texts(response):
    return block_texts_of(response.content.decode())
