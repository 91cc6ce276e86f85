"""Ask the commentary: a learner's question answered with the faculty's own words.

The answer is made of passages quoted exactly from the lessons, ranked by BM25 (bm25s); no text
is generated. Abbreviations the activity defines (content, in the fixtures) match their long
forms both ways. The index is built from the database once per process and content version
(the caller passes the page cache's), so any content edit rebuilds it.
"""

import re
import threading
from dataclasses import dataclass

import bm25s
import Stemmer
from bm25s.stopwords import STOPWORDS_EN
from django.db.models import Prefetch
from django.utils.html import escape
from django.utils.safestring import mark_safe

from .models import Lesson, Paragraph

MAX_PASSAGES = 3
# A passage scoring under this share of the best one matched only a word or two in passing.
MIN_SHARE_OF_BEST = 0.3

# The words a question is phrased with, which say nothing about what it asks.
STOPWORDS = [
    *STOPWORDS_EN,
    *[
        "what",
        "which",
        "who",
        "whom",
        "whose",
        "how",
        "why",
        "when",
        "where",
        "does",
        "do",
        "did",
        "done",
        "can",
        "could",
        "would",
        "should",
        "shall",
        "i",
        "me",
        "my",
        "you",
        "your",
        "we",
        "our",
        "us",
        "about",
        "any",
        "some",
    ],
]
_WORD = re.compile(r"\w+")
_stemmer = Stemmer.Stemmer("english")


class _Abbreviations:
    """Each abbreviation and its long forms, as the activity's data defines them (a plural "s"
    matches too). A text holding either form is indexed with a shared token, so that either
    form finds the other."""

    def __init__(self, rows):
        forms = {}
        for short, long in rows:
            forms.setdefault(short, [rf"\b{re.escape(short)}s?\b"]).append(
                rf"\b{re.escape(long)}s?\b"
            )
        self.patterns = [
            (re.sub(r"\W", "", short) + "abbr", re.compile("|".join(patterns), re.IGNORECASE))
            for short, patterns in forms.items()
        ]

    def expanded(self, text):
        extra = []
        for token, pattern in self.patterns:
            extra += [token] * len(pattern.findall(text))
        return " ".join([text, *extra])

    def tokens(self, texts):
        return bm25s.tokenize(
            [self.expanded(text) for text in texts],
            stopwords=STOPWORDS,
            stemmer=_stemmer,
            return_ids=False,
            show_progress=False,
        )


@dataclass(frozen=True)
class Passage:
    text: str
    speaker: str
    lesson_number: int
    lesson_heading: str
    lesson_url: str


@dataclass(frozen=True)
class Quote:
    """One passage of an answer."""

    passage: Passage
    highlighted: str  # safe HTML: the passage, escaped, with matching words in <mark>


class _Index:
    def __init__(self, passages, abbreviations):
        self.passages = passages
        self.abbreviations = abbreviations
        self.retriever = bm25s.BM25()
        self.retriever.index(abbreviations.tokens([p.text for p in passages]), show_progress=False)


_indexes = {}  # activity id: (content version, index)
_indexes_lock = threading.Lock()


def _current_index(activity, version):
    """The index of the activity's lessons and abbreviations, built once per content version
    (the page cache's, which every content edit renews)."""
    with _indexes_lock:
        cached = _indexes.get(activity.pk)
        if cached is None or cached[0] != version:
            cached = _indexes[activity.pk] = (version, _build_index(activity))
        return cached[1]


def _build_index(activity):
    lessons = Lesson.objects.for_activity(activity).prefetch_related(
        Prefetch("paragraphs", Paragraph.objects.select_related("speaker"))
    )
    passages = [
        Passage(
            text=paragraph.text,
            speaker=str(paragraph.speaker) if paragraph.speaker else "",
            lesson_number=lesson.number,
            lesson_heading=lesson.heading,
            lesson_url=lesson.get_absolute_url(),
        )
        for lesson in lessons
        for paragraph in lesson.paragraphs.all()
    ]
    abbreviations = list(activity.abbreviations.values_list("short", "long"))
    return _Index(passages, _Abbreviations(abbreviations)) if passages else None


def _highlight(text, stems):
    pieces, last = [], 0
    for match in _WORD.finditer(text):
        pieces.append(escape(text[last : match.start()]))
        word = match.group(0)
        if _stemmer.stemWord(word.lower()) in stems:
            pieces.append(f"<mark>{escape(word)}</mark>")
        else:
            pieces.append(escape(word))
        last = match.end()
    pieces.append(escape(text[last:]))
    return mark_safe("".join(pieces))  # every piece above is escaped


def ask(activity, question, *, version, limit=MAX_PASSAGES):
    """The passages that best answer the question, best first; none when nothing matches.
    `version` names the content as it is now: the index is rebuilt when it changes."""
    index = _current_index(activity, version)
    if index is None or not (query := index.abbreviations.tokens([question])[0]):
        return []
    documents, scores = index.retriever.retrieve(
        [query], k=min(limit, len(index.passages)), show_progress=False
    )
    stems = set(query)
    floor = max(float(scores[0][0]) * MIN_SHARE_OF_BEST, 0) if len(scores[0]) else 0
    return [
        Quote(index.passages[doc], _highlight(index.passages[doc].text, stems))
        for doc, score in zip(documents[0], scores[0], strict=True)
        if score > 0 and score >= floor
    ]
