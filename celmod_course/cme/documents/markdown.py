"""Markdown with YAML front matter: the form staff keep in version control, review and move
between sites. `activity_markdown` writes any activity in it; `parse` reads it back, so that an
export imported again and exported once more is the same file.

    ---
    title: CELMoDs in Multiple Myeloma
    released: 2025-07-28
    expires: 2026-01-27
    faculty:
    - name: Amrita Krishnan
      credentials: MD, FACP
    polls:
    - slug: confidence
      question: How confident are you …?
      options: [Not at all confident, …]
    ---

    ## Key Takeaways
    - CELMoDs …

    ## Introduction
    Cereblon E3 ligase modulatory drugs …

    ## What is the mechanism of action of CELMoDs …? {#mechanism-of-action}
    **Amrita Krishnan, MD, FACP:** CELMoDs …

    ## Your Thoughts
    What are your questions …?

    ## Knowledge check
    ### How do CELMoDs … work as protein degraders?
    - [ ] a wrong choice
    - [x] the correct choice

    Rationale: why, and where the commentary says it.

    Lesson: mechanism-of-action

Every level-2 heading but the four named ones is a lesson, `{#slug}` after it its slug;
`**Name, MD:**` at a paragraph's start is its speaker. Text is kept as text: emphasis marks are
dropped and HTML stays as the characters typed.
"""

import re
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal, InvalidOperation

import yaml
from markdown_it import MarkdownIt
from mdit_py_plugins.front_matter import front_matter_plugin

from .draft import (
    ActivityDraft,
    DesignationDraft,
    DocumentError,
    EvaluationItemDraft,
    FacultyDraft,
    LessonDraft,
    ParagraphDraft,
    PollDraft,
    QuestionDraft,
)
from .pagetext import DATE_LINE, DATES, read_date

TAKEAWAYS, INTRODUCTION, THOUGHTS, KNOWLEDGE_CHECK = (
    "Key Takeaways",
    "Introduction",
    "Your Thoughts",
    "Knowledge check",
)
SECTIONS = (TAKEAWAYS, INTRODUCTION, THOUGHTS, KNOWLEDGE_CHECK)
# The front matter's keys, and the keys of the entries of its lists.
KEYS = {
    "title": None,
    "slug": None,
    "released": None,
    "expires": None,
    "provider": None,
    "accreditation_statement": None,
    "commercial_support": None,
    "objectives": None,
    "faculty": {"name", "credentials", "disclosure"},
    "abbreviations": {"short", "long"},
    "polls": {"slug", "question", "asked_before", "options"},
    "knowledge_check": {"pass_mark", "attempts_before_wait", "wait_hours"},
    "credit": {"profession", "credit_type", "max_amount", "statement"},
    "evaluation": {"kind", "prompt", "required"},
}
SLUG_ATTRIBUTE = re.compile(r"\s*(?<!\\)\{#([a-z0-9][a-z0-9-]*)\}\s*$")
CHOICE = re.compile(r"\[( |x|X)\] (.+)", re.DOTALL)

_parser = MarkdownIt("commonmark", {"html": False}).use(front_matter_plugin)


# Reading


def _plain(children):
    """The text of inline tokens: emphasis marks dropped, a hard break kept as a new line."""
    parts = []
    for child in children or []:
        if child.type in ("text", "code_inline"):
            parts.append(child.content)
        elif child.type == "softbreak":
            parts.append(" ")
        elif child.type == "hardbreak":
            parts.append("\n")
    return "".join(parts)


def _speaker(children):
    """(label, text) when the paragraph opens with a bold "Name, MD:"; else (None, text)."""
    children = [c for c in children if not (c.type == "text" and not c.content)]
    if (
        len(children) >= 3
        and children[0].type == "strong_open"
        and children[1].type == "text"
        and children[2].type == "strong_close"
    ):
        label, text = children[1].content.strip(), _plain(children[3:])
        if label.endswith(":"):
            return label[:-1].strip(), text.lstrip()
        if text.startswith(":"):
            return label, text[1:].lstrip()
    return None, _plain(children)


def _line(token):
    return token.map[0] + 1 if token.map else None


def _check_keys(text):
    """Refuse a key the format does not know, naming its line."""
    root = yaml.compose(text)
    if root is None:
        return
    if not isinstance(root, yaml.MappingNode):
        raise DocumentError("The front matter is not a list of keys and values.", 2)
    for key, value in root.value:
        if not isinstance(key, yaml.ScalarNode):
            raise DocumentError("A front-matter key must be a word.", key.start_mark.line + 2)
        if key.value not in KEYS:
            known = ", ".join(KEYS)
            raise DocumentError(
                f'Unknown front-matter key "{key.value}" (the keys are: {known}).',
                key.start_mark.line + 2,
            )
        allowed = KEYS[key.value]
        entries = value.value if isinstance(value, yaml.SequenceNode) else [value]
        for entry in entries:
            if allowed and isinstance(entry, yaml.MappingNode):
                for inner, _ in entry.value:
                    if not isinstance(inner, yaml.ScalarNode) or inner.value not in allowed:
                        raise DocumentError(
                            f'Unknown key "{inner.value}" under "{key.value}" (it takes: '
                            f"{', '.join(sorted(allowed))}).",
                            inner.start_mark.line + 2,
                        )


class _Front:
    """The front matter's values, each read as the type its key takes; a wrong type is refused
    naming the key (and the entry, in a list)."""

    def __init__(self, data, where=""):
        if not isinstance(data, dict):
            raise DocumentError(f"{where or 'The front matter'} is not written as key: value.")
        self.data, self.where = data, where

    def _name(self, key):
        return f'"{key}"{self.where and " " + self.where}'

    def text(self, key, required=False):
        value = self.data.get(key)
        if value is None:
            if required:
                raise DocumentError(f"{self._name(key)} is missing.")
            return ""
        if isinstance(value, (list, dict)):
            raise DocumentError(f"{self._name(key)} takes text, not a list.")
        return str(value).strip()

    def number(self, key, default, *, whole=True, most=1000):
        value = self.data.get(key, default)
        try:
            number = Decimal(str(value))
        except (InvalidOperation, ValueError):
            number = None
        if (
            isinstance(value, bool)
            or number is None
            or not number.is_finite()
            or not 0 <= number <= most
            or (whole and number != number.to_integral_value())
        ):
            kind = "a whole number" if whole else "a number"
            raise DocumentError(f"{self._name(key)} takes {kind} from 0 to {most}.")
        return int(number) if whole else number

    def yes_no(self, key, default):
        value = self.data.get(key, default)
        if not isinstance(value, bool):
            raise DocumentError(f"{self._name(key)} takes true or false.")
        return value

    def date(self, key):
        value = self.data.get(key)
        if value is None or isinstance(value, date):
            return value
        for layout in ("%Y-%m-%d", "%B %d, %Y"):
            try:
                return datetime.strptime(str(value).strip(), layout).date()
            except ValueError:
                continue
        raise DocumentError(
            f'The date "{value}" under "{key}" cannot be read (write e.g. 2025-07-28).'
        )

    def entries(self, key):
        """A list's entries, each a _Front; a list of text is `texts`."""
        return [_Front(entry, f'in "{key}", entry {n}') for n, entry in self._list(key)]

    def texts(self, key):
        found = []
        for n, entry in self._list(key):
            if isinstance(entry, (list, dict)) or entry is None:
                raise DocumentError(f'"{key}", entry {n}, takes text.')
            found.append(str(entry).strip())
        return found

    def _list(self, key):
        value = self.data.get(key)
        if value is None:
            return []
        if not isinstance(value, list):
            raise DocumentError(f"{self._name(key)} takes a list (lines starting with -).")
        return list(enumerate(value, start=1))


def _front(draft, data):
    front = _Front(data)
    draft.title = front.text("title")
    draft.slug = front.text("slug")
    draft.released_on = front.date("released")
    draft.expires_on = front.date("expires")
    draft.provider = front.text("provider")
    draft.accreditation_statement = front.text("accreditation_statement")
    draft.commercial_support = front.text("commercial_support")
    draft.objectives = front.texts("objectives")
    draft.faculty = [
        FacultyDraft(f.text("name", True), f.text("credentials"), f.text("disclosure"))
        for f in front.entries("faculty")
    ]
    draft.abbreviations = [
        (a.text("short", True), a.text("long", True)) for a in front.entries("abbreviations")
    ]
    draft.polls = [
        PollDraft(
            question=p.text("question", True),
            slug=p.text("slug"),
            asked_before=p.yes_no("asked_before", False),
            options=p.texts("options"),
        )
        for p in front.entries("polls")
    ]
    check = _Front(data.get("knowledge_check") or {}, 'in "knowledge_check"')
    draft.pass_mark = check.number("pass_mark", draft.pass_mark, most=100)
    draft.attempts_before_wait = check.number("attempts_before_wait", draft.attempts_before_wait)
    draft.wait_hours = check.number("wait_hours", draft.wait_hours)
    draft.designations = [
        DesignationDraft(
            c.text("profession", True),
            c.text("credit_type", True),
            c.number("max_amount", None, whole=False, most=999),
            c.text("statement"),
        )
        for c in front.entries("credit")
    ]
    draft.evaluation = [
        EvaluationItemDraft(
            e.text("kind", True), e.text("prompt", True), e.yes_no("required", True)
        )
        for e in front.entries("evaluation")
    ]


def _load(text):
    """The front matter's data: YAML without aliases (a few bytes of them can stand for
    gigabytes), with the keys the format knows."""
    try:
        for event in yaml.parse(text):
            if isinstance(event, yaml.AliasEvent):
                raise DocumentError(
                    "The front matter uses a YAML alias (*name): write each value out.",
                    event.start_mark.line + 2,
                )
        _check_keys(text)
        return yaml.safe_load(text) or {}
    except DocumentError:
        raise
    except yaml.YAMLError as error:
        mark = getattr(error, "problem_mark", None)
        raise DocumentError(
            "The front matter is not valid YAML.", mark.line + 2 if mark else 2
        ) from None
    except (ValueError, TypeError, OverflowError):
        raise DocumentError(
            "The front matter holds a value that cannot be read (a date that does not exist?)."
        ) from None


def parse(text):
    """An ActivityDraft from Markdown with front matter; raises DocumentError saying where."""
    if not text.strip():
        raise DocumentError("The file is empty.")
    tokens = _parser.parse(text)
    draft = ActivityDraft()
    if tokens and tokens[0].type == "front_matter":
        _front(draft, _load(tokens[0].content))
        tokens = tokens[1:]
    assemble(draft, _blocks(tokens))
    if not draft.faculty:
        draft.speakers_from_paragraphs()
    return draft


@dataclass
class Block:
    """A unit of a document's body, whatever its format: a heading (`level` 1 to 3), a
    paragraph (with its speaker label, if any) or a list item."""

    kind: str  # "heading", "paragraph" or "item"
    text: str
    line: int | None = None
    level: int = 0
    speaker: str | None = None
    slug: str = ""
    raw: str = ""  # the text as written, escapes and all (Markdown only)


# Blocks the format has no place for: kept out, and named in the report.
UNPLACED = {"fence", "code_block", "html_block", "hr"}


def _blocks(tokens):
    """The body's blocks, from markdown-it's tokens."""
    depth = 0
    for index, token in enumerate(tokens):
        if token.type in ("bullet_list_open", "ordered_list_open"):
            depth += 1
        elif token.type in ("bullet_list_close", "ordered_list_close"):
            depth -= 1
        if token.type in UNPLACED:
            yield Block("other", token.content.strip()[:80] or "a horizontal rule", _line(token))
        if token.type != "inline":
            continue
        opener, line = tokens[index - 1], _line(token)
        if opener.type == "heading_open":
            text, slug = _plain(token.children).strip(), ""
            found = SLUG_ATTRIBUTE.search(token.content)
            if found:
                text, slug = SLUG_ATTRIBUTE.sub("", text).strip(), found[1]
            yield Block("heading", text, line, level=int(opener.tag[1]), slug=slug)
        elif depth:
            yield Block("item", _plain(token.children), line)
        else:
            speaker, text = _speaker(token.children)
            if text.strip():
                yield Block("paragraph", text, line, speaker=speaker, raw=token.content)
            else:  # an image alone, say: nothing the activity can show as text
                yield Block("other", token.content.strip()[:80], line)


def assemble(draft, blocks, *, poll_from_text=False):
    """Place a body's blocks in the draft, by the rules every format but page text shares:
    a level-1 heading is the title; a level-2 heading is a section (Key Takeaways,
    Introduction, Your Thoughts, Knowledge check) or else a lesson; paragraphs before any are
    the dates ("Released: …", "Expiration: …") and the introduction. In Your Thoughts the first
    paragraph is the prompt; with `poll_from_text` (a format with no front matter) the next is
    the poll's question and the list below it its options."""
    section, lesson, question, rationale = None, None, None, []
    for block in blocks:
        if block.kind == "heading" and block.level == 1:
            if draft.title and block.text != draft.title:
                raise DocumentError(
                    f'The heading "{block.text}" differs from the title "{draft.title}".',
                    block.line,
                )
            draft.title = block.text
        elif block.kind == "heading" and block.level == 2:
            _finish(question, rationale)
            lesson, question, rationale = None, None, []
            section = block.text if block.text in SECTIONS else "lesson"
            if section == "lesson":
                lesson = LessonDraft(heading=block.text, slug=block.slug, line=block.line)
                draft.lessons.append(lesson)
        elif block.kind == "heading" and section == KNOWLEDGE_CHECK:
            _finish(question, rationale)
            question, rationale = QuestionDraft(block.text, [], "", "", block.line), []
            draft.questions.append(question)
        elif block.kind == "heading":
            raise DocumentError(
                f'The heading "{block.text}" is not one the format has.', block.line
            )
        elif section is None and block.kind == "paragraph" and DATE_LINE.fullmatch(block.text):
            found = DATE_LINE.fullmatch(block.text)
            setattr(draft, DATES[found["key"]], read_date(found["value"], block.line))
        elif section in (None, INTRODUCTION) and block.kind == "paragraph":
            draft.introduction = _joined(draft.introduction, block.text)
        elif section == TAKEAWAYS and block.kind == "item":
            draft.takeaways.append(block.text)
        elif section == KNOWLEDGE_CHECK and question and block.kind == "item":
            choice = CHOICE.fullmatch(block.text)
            if not choice:
                raise DocumentError(
                    "A choice is written as - [x] text (correct) or - [ ] text.", block.line
                )
            question.choices.append((choice[2], choice[1] != " "))
        elif section == KNOWLEDGE_CHECK and question and block.kind == "paragraph":
            if (block.raw or block.text).startswith("Lesson:"):
                question.lesson = block.text.removeprefix("Lesson:").strip()
            else:
                first = not rationale
                rationale.append(
                    block.text.removeprefix("Rationale:").strip() if first else block.text
                )
        elif section == THOUGHTS and poll_from_text and draft.discussion_prompt:
            if block.kind == "paragraph":
                draft.polls.append(PollDraft(question=block.text))
            elif draft.polls:
                draft.polls[-1].options.append(block.text)
            else:
                draft.unplaced.append(f"{_where(block)}{block.text[:80]}")
        elif section == THOUGHTS and block.kind == "paragraph":
            draft.discussion_prompt = _joined(draft.discussion_prompt, block.text)
        elif section == "lesson" and block.kind == "paragraph":
            lesson.paragraphs.append(ParagraphDraft(block.text, block.speaker, block.line))
        else:
            draft.unplaced.append(f"{_where(block)}{block.text[:80]}")
    _finish(question, rationale)


def _where(block):
    return f"line {block.line}: " if block.line else ""


def _joined(text, more):
    return f"{text}\n\n{more}" if text else more


def _finish(question, rationale):
    if question:
        question.rationale = "\n\n".join(rationale)


# Writing


_INLINE = re.compile(r"([\\`*_\[\]<])|&(?=#?\w+;)")
_LINE_START = re.compile(r"^(\s*)(?:([#>+=~-])|(\d+)([.)]))", re.MULTILINE)


def _escape_line_start(match):
    indent, mark, number, dot = match.groups()
    return f"{indent}\\{mark}" if mark else f"{indent}{number}\\{dot}"


def _lines(text):
    """The text with its lines trimmed and their endings "\n": as Markdown reads it back."""
    return "\n".join(line.strip() for line in text.strip().splitlines())


def escape(text):
    """The text as Markdown that reads back as exactly this text (its lines trimmed)."""
    escaped = _INLINE.sub(lambda m: "\\" + (m[1] or "&"), _lines(text))
    escaped = _LINE_START.sub(_escape_line_start, escaped)
    return escaped.replace("\n", "\\\n")


def escape_heading(text):
    """As `escape` on one line, and a closing "#" or "{#slug}" kept as text, not markup."""
    escaped = escape(" ".join(text.split()))
    found = SLUG_ATTRIBUTE.search(escaped)
    if found:
        escaped = escaped[: found.start(0)] + escaped[found.start(0) :].replace("{", "\\{", 1)
    if escaped.endswith("#"):
        escaped = escaped[:-1] + "\\#"
    return escaped


def _amount(value):
    """1.00 as 1.0 and 0.75 as 0.75: YAML numbers that read back as the same amount."""
    return float(value)


def front_matter(activity):
    """The activity's settings, faculty, poll, credit and evaluation, as the front matter's data."""
    data = {
        "title": activity.title,
        "released": activity.released_on,
        "expires": activity.expires_on,
    }
    for key in ("provider", "accreditation_statement", "commercial_support"):
        if getattr(activity, key):
            data[key] = getattr(activity, key)
    if objectives := [o.text for o in activity.objectives.all()]:
        data["objectives"] = objectives
    data["faculty"] = [
        {
            key: value
            for key, value in (
                ("name", f.name),
                ("credentials", f.credentials),
                ("disclosure", f.disclosure),
            )
            if value
        }
        for f in activity.faculty.all()
    ]
    if abbreviations := [{"short": a.short, "long": a.long} for a in activity.abbreviations.all()]:
        data["abbreviations"] = abbreviations
    data["polls"] = [
        {
            "slug": poll.slug,
            "question": poll.question,
            "asked_before": poll.asked_before,
            "options": [option.text for option in poll.options.all()],
        }
        for poll in activity.polls.prefetch_related("options")
    ]
    data["knowledge_check"] = {
        "pass_mark": activity.pass_mark,
        "attempts_before_wait": activity.attempts_before_wait,
        "wait_hours": activity.wait_hours,
    }
    if credit := [
        {
            "profession": d.profession,
            "credit_type": d.credit_type,
            "max_amount": _amount(d.max_amount),
            "statement": d.statement,
        }
        for d in activity.designations.all()
    ]:
        data["credit"] = credit
    if evaluation := [
        {"kind": e.kind, "prompt": e.prompt, "required": e.required}
        for e in activity.evaluation_questions.all()
    ]:
        data["evaluation"] = evaluation
    return data


def activity_markdown(activity):
    """The activity as Markdown with front matter (`parse` reads it back). The activity's own
    slug is left out, so the file imports under a slug of the importer's choosing."""
    front = yaml.safe_dump(front_matter(activity), sort_keys=False, allow_unicode=True, width=4096)
    parts = [f"---\n{front}---"]
    if takeaways := list(activity.key_takeaways.all()):
        parts.append(f"## {TAKEAWAYS}\n\n" + "\n".join(f"- {escape(t.text)}" for t in takeaways))
    if activity.introduction:
        parts.append(f"## {INTRODUCTION}\n\n" + _paragraphs(activity.introduction))
    lessons = activity.lessons.prefetch_related("paragraphs__speaker")
    for lesson in lessons:
        parts.append(f"## {escape_heading(lesson.heading)} {{#{lesson.slug}}}")
        for paragraph in lesson.paragraphs.all():
            label = f"**{escape(str(paragraph.speaker))}:** " if paragraph.speaker else ""
            parts.append(label + escape(paragraph.text))
    if activity.discussion_prompt:
        parts.append(f"## {THOUGHTS}\n\n" + _paragraphs(activity.discussion_prompt))
    questions = activity.questions.select_related("lesson").prefetch_related("choices")
    if questions:
        parts.append(f"## {KNOWLEDGE_CHECK}")
        for question in questions:
            parts.append(f"### {escape_heading(question.prompt)}")
            parts.append(
                "\n".join(
                    f"- [{'x' if c.is_correct else ' '}] {escape(c.text)}"
                    for c in question.choices.all()
                )
            )
            parts.append("Rationale: " + _paragraphs(question.rationale, keep=("Lesson:",)))
            parts.append(f"Lesson: {question.lesson.slug}")
    return "\n\n".join(parts) + "\n"


def _paragraphs(text, keep=()):
    """Text whose blank lines part paragraphs, each escaped; a paragraph opening with one of
    the `keep` labels has its colon escaped, so that it is not read as that label."""
    parts = [escape(part) for part in re.split(r"\n\s*\n", _lines(text)) if part.strip()]
    return "\n\n".join(
        part.replace(":", "\\:", 1) if part.startswith(keep) else part for part in parts
    )
