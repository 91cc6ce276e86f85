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
                    if inner.value not in allowed:
                        raise DocumentError(
                            f'Unknown key "{inner.value}" under "{key.value}" (it takes: '
                            f"{', '.join(sorted(allowed))}).",
                            inner.start_mark.line + 2,
                        )


def _date(value, key):
    if isinstance(value, date):
        return value
    for layout in ("%Y-%m-%d", "%B %d, %Y"):
        try:
            return datetime.strptime(str(value).strip(), layout).date()
        except ValueError:
            continue
    raise DocumentError(f'The date "{value}" under "{key}" cannot be read (write e.g. 2025-07-28).')


def _text(value):
    return "" if value is None else str(value).strip()


def _front(draft, front):
    if not isinstance(front, dict):
        raise DocumentError("The front matter is not a list of keys and values.", 2)
    draft.title = _text(front.get("title"))
    draft.slug = _text(front.get("slug"))
    for key, name in (("released", "released_on"), ("expires", "expires_on")):
        if front.get(key) is not None:
            setattr(draft, name, _date(front[key], key))
    draft.provider = _text(front.get("provider"))
    draft.accreditation_statement = _text(front.get("accreditation_statement"))
    draft.commercial_support = _text(front.get("commercial_support"))
    draft.objectives = [_text(o) for o in front.get("objectives") or []]
    try:
        draft.faculty = [
            FacultyDraft(_text(f["name"]), _text(f.get("credentials")), _text(f.get("disclosure")))
            for f in front.get("faculty") or []
        ]
        draft.abbreviations = [
            (_text(a["short"]), _text(a["long"])) for a in front.get("abbreviations") or []
        ]
        draft.polls = [
            PollDraft(
                question=_text(p["question"]),
                slug=_text(p.get("slug")) or "confidence",
                asked_before=bool(p.get("asked_before", False)),
                options=[_text(o) for o in p.get("options") or []],
            )
            for p in front.get("polls") or []
        ]
        check = front.get("knowledge_check") or {}
        draft.pass_mark = int(check.get("pass_mark", draft.pass_mark))
        draft.attempts_before_wait = int(
            check.get("attempts_before_wait", draft.attempts_before_wait)
        )
        draft.wait_hours = int(check.get("wait_hours", draft.wait_hours))
        draft.designations = [
            DesignationDraft(
                _text(c["profession"]),
                _text(c["credit_type"]),
                Decimal(str(c["max_amount"])),
                _text(c.get("statement")),
            )
            for c in front.get("credit") or []
        ]
        draft.evaluation = [
            EvaluationItemDraft(_text(e["kind"]), _text(e["prompt"]), bool(e.get("required", True)))
            for e in front.get("evaluation") or []
        ]
    except KeyError as missing:
        raise DocumentError(f"An entry of the front matter lacks its {missing} key.") from None
    except (TypeError, AttributeError):
        raise DocumentError("An entry of the front matter is not written as key: value.") from None
    except (ValueError, InvalidOperation):
        raise DocumentError("A number in the front matter cannot be read.") from None


def parse(text):
    """An ActivityDraft from Markdown with front matter; raises DocumentError saying where."""
    if not text.strip():
        raise DocumentError("The file is empty.")
    tokens = _parser.parse(text)
    draft = ActivityDraft()
    if tokens and tokens[0].type == "front_matter":
        _check_keys(tokens[0].content)
        try:
            front = yaml.safe_load(tokens[0].content) or {}
        except yaml.YAMLError as error:
            mark = getattr(error, "problem_mark", None)
            raise DocumentError(
                "The front matter is not valid YAML.", mark.line + 2 if mark else 2
            ) from None
        _front(draft, front)
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


def _blocks(tokens):
    """The body's blocks, from markdown-it's tokens."""
    depth = 0
    for index, token in enumerate(tokens):
        if token.type in ("bullet_list_open", "ordered_list_open"):
            depth += 1
        elif token.type in ("bullet_list_close", "ordered_list_close"):
            depth -= 1
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
            yield Block("paragraph", text, line, speaker=speaker)


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
            if block.text.startswith("Lesson:"):
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
_LINE_START = re.compile(r"^(\s*)(?:([#>+=-])|(\d+)([.)]))", re.MULTILINE)


def _escape_line_start(match):
    indent, mark, number, dot = match.groups()
    return f"{indent}\\{mark}" if mark else f"{indent}{number}\\{dot}"


def escape(text):
    """The text as Markdown that reads back as exactly this text."""
    escaped = _INLINE.sub(lambda m: "\\" + (m[1] or "&"), text)
    escaped = _LINE_START.sub(_escape_line_start, escaped)
    return escaped.replace("\n", "\\\n")


def escape_heading(text):
    """As `escape`, and a closing "#" or "{#slug}" kept as text, not read as markup."""
    escaped = escape(text)
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
            parts.append("Rationale: " + _paragraphs(question.rationale))
            parts.append(f"Lesson: {question.lesson.slug}")
    return "\n\n".join(parts) + "\n"


def _paragraphs(text):
    """Text whose blank lines part paragraphs, each escaped."""
    return "\n\n".join(escape(part) for part in re.split(r"\n\s*\n", text.strip()))
