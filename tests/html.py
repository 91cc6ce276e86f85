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


class _FormData(HTMLParser):
    def __init__(self, form_id):
        super().__init__(convert_charrefs=True)
        self.form_id, self.inside, self.data = form_id, False, {}
        self.textarea = self.select = None

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "form":
            self.inside = attrs.get("id") == self.form_id
        if not self.inside or "disabled" in attrs:
            return
        name = attrs.get("name")
        if tag == "input" and name and attrs.get("type") not in {"submit", "button", "file"}:
            if attrs.get("type") not in {"checkbox", "radio"} or "checked" in attrs:
                self.data[name] = attrs.get("value", "on" if "checked" in attrs else "")
        elif tag == "textarea" and name:
            self.textarea, self.data[name] = name, ""
        elif tag == "select" and name:
            self.select = name
        elif tag == "option" and self.select:
            chosen = "selected" in attrs or self.select not in self.data  # else the first
            self.data[self.select] = attrs.get("value", "") if chosen else self.data[self.select]

    def handle_endtag(self, tag):
        if tag == "form":
            self.inside = False
        elif tag == "textarea":
            self.textarea = None
        elif tag == "select":
            self.select = None

    def handle_data(self, data):
        if self.textarea:  # a browser drops the newline just after <textarea>
            text = self.data[self.textarea]
            self.data[self.textarea] = text + (data if text else data.removeprefix("\n"))


def form_data_of(html, form_id):
    """What a browser would post from the form `form_id` of some HTML, as it stands."""
    parser = _FormData(form_id)
    parser.feed(html)
    return parser.data


def form_data(response, form_id):
    return form_data_of(response.content.decode(), form_id)


VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "wbr"}


class _TextOfId(HTMLParser):
    def __init__(self, element_id):
        super().__init__(convert_charrefs=True)
        self.element_id, self.depth, self.parts, self.found = element_id, 0, [], False

    def handle_starttag(self, tag, attrs):
        if self.depth:
            self.depth += tag not in VOID
        elif dict(attrs).get("id") == self.element_id and not self.found:
            self.depth, self.found = 1, True

    def handle_endtag(self, tag):
        if self.depth and tag not in VOID:
            self.depth -= 1

    def handle_data(self, data):
        if self.depth:
            self.parts.append(data)


def text_of_id(html, element_id):
    """The text of the element with this id, whitespace folded; None if there is none."""
    parser = _TextOfId(element_id)
    parser.feed(html)
    return " ".join("".join(parser.parts).split()) if parser.found else None
