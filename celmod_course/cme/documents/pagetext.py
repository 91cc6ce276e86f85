"""The page text of a commentary activity, as a browser copies it (the seed's form):

    CELMoDs in Multiple Myeloma          the title (often twice)
    Released: July 28, 2025              the dates
    Expiration: January 27, 2026
    Key Takeaways                        a heading, then its bullets
      • …
    Cereblon E3 ligase modulatory …      the introduction
    What is the mechanism of action …?   a question heading, with its first paragraph below it
    Amrita Krishnan, MD, FACP: …         a paragraph, its speaker labelled where the text has it
    Your Thoughts                        the discussion prompt, then the poll's question
    …

Page chrome ("Ask AI", "Activity", "Progress", "Course Completed", "Poll", "Submit", bare
numbers) is left out. A heading is a line with text directly below it (no blank line between),
or a question with a labelled speaker's paragraph after it; faculty are the distinct speakers.
"""

import re
from datetime import datetime

from .draft import ActivityDraft, DocumentError, LessonDraft, ParagraphDraft, PollDraft

CHROME = {
    "Ask AI",
    "Activity",
    "Progress",
    "Course Completed",
    "Courses Completed",
    "Poll",
    "Submit",
}
NUMBER = re.compile(r"\d+\.?")
BULLET = re.compile(r"[•\-*·]\s+")
# "Amrita Krishnan, MD, FACP: text": a name of two to five capitalised words, one or more
# credentials ("MD", "PharmD", "FACP"), a colon.
SPEAKER = re.compile(
    r"(?P<label>[A-Z][\w.'\u2019-]*(?: [A-Z][\w.'\u2019-]*){1,4}(?:, [A-Z][A-Za-z]{1,9})+): "
    r"(?P<text>\S.*)"
)
DATES = {"Released": "released_on", "Expiration": "expires_on", "Expires": "expires_on"}
DATE_LINE = re.compile(r"(?P<key>Released|Expiration|Expires): (?P<value>.+)")


def read_date(text, line):
    for layout in ("%B %d, %Y", "%b %d, %Y", "%Y-%m-%d", "%d %B %Y"):
        try:
            return datetime.strptime(text.strip(), layout).date()
        except ValueError:
            continue
    raise DocumentError(
        f'The date "{text.strip()}" cannot be read (write e.g. "July 28, 2025").', line
    )


def blocks(text):
    """The text's lines without chrome, in blocks that blank lines separate: [[(number, line)]]."""
    found, block = [], []
    for number, raw in enumerate(text.splitlines(), start=1):
        line = raw.strip()
        if line in CHROME or NUMBER.fullmatch(line):
            continue
        if line:
            block.append((number, line))
        elif block:
            found.append(block)
            block = []
    if block:
        found.append(block)
    return found


def paragraph(number, line):
    match = SPEAKER.fullmatch(line)
    if match:
        return ParagraphDraft(match["text"], match["label"], number)
    return ParagraphDraft(line, None, number)


def parse(text):
    """An ActivityDraft from the page text; raises DocumentError when it is no commentary."""
    if not text.strip():
        raise DocumentError("The file is empty.")
    draft = ActivityDraft()
    found = blocks(text)
    lines = sum(len(block) for block in found)
    # The head, up to the first block with more than the title and the dates in it.
    for index, block in enumerate(found):
        rest = []
        for number, line in block:
            date_line = DATE_LINE.fullmatch(line)
            if date_line:
                setattr(draft, DATES[date_line["key"]], read_date(date_line["value"], number))
            elif not draft.title:
                draft.title = line
            elif line != draft.title:
                rest.append((number, line))
        if rest:
            found[index] = rest
            break
    else:
        raise DocumentError("No question headings were found: the file holds no commentary.")
    body = found[index:]
    lesson = None
    in_thoughts = False
    for position, block in enumerate(body):
        first_number, first = block[0]
        if first == "Key Takeaways":
            draft.takeaways.extend(BULLET.sub("", line, count=1) for _, line in block[1:])
            continue
        if first == "Your Thoughts":
            in_thoughts, lesson = True, None
            block = block[1:]
            if not block:
                continue
            first_number, first = block[0]
        if in_thoughts:
            for _, line in block:
                if not draft.discussion_prompt:
                    draft.discussion_prompt = line
                elif not draft.polls:
                    draft.polls.append(PollDraft(question=line))
                else:
                    draft.polls[-1].options.append(line)
            continue
        next_block = body[position + 1] if position + 1 < len(body) else None
        asks_a_speaker = (
            len(block) == 1
            and first.endswith("?")
            and not SPEAKER.fullmatch(first)
            and next_block is not None
            and SPEAKER.fullmatch(next_block[0][1])
        )
        if (len(block) > 1 and not SPEAKER.fullmatch(first)) or asks_a_speaker:
            lesson = LessonDraft(heading=first, line=first_number)
            draft.lessons.append(lesson)
            block = block[1:]
        if lesson is None:
            intro = " ".join(line for _, line in block)
            draft.introduction = f"{draft.introduction}\n\n{intro}" if draft.introduction else intro
            continue
        lesson.paragraphs.extend(paragraph(number, line) for number, line in block)
    if not draft.lessons:
        raise DocumentError(
            "No question headings were found: a heading is a line with the text directly below "
            f"it (the file has {lines} lines of text)."
        )
    draft.speakers_from_paragraphs()
    return draft
