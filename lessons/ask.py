"""Ask the commentary: a learner's question answered with the faculty's own words.

The answer is made of passages quoted exactly from the lessons, ranked by BM25 (bm25s); no text
is generated. Abbreviations the seed defines match their long forms both ways. The index is
built from the database once per process and rebuilt when the paragraphs change.
"""

import re
import threading
from dataclasses import dataclass
from hashlib import sha256

import bm25s
import Stemmer
from bm25s.stopwords import STOPWORDS_EN
from django.utils.html import escape
from django.utils.safestring import mark_safe

from .models import Paragraph

MAX_PASSAGES = 3
# A passage scoring under this share of the best one matched only a word or two in passing.
MIN_SHARE_OF_BEST = 0.3

# Each abbreviation and the long form the seed gives it; a passage or a question holding one
# is indexed with the other too.
ABBREVIATIONS = {
    "CELMoD": r"cereblon e3 ligase modulatory drugs?",
    "IMiD": r"immunomodulatory imide drugs?",
    "AE": r"adverse events?",
    "ORR": r"overall response rates?",
    "MM": r"multiple myeloma",
    "RR": r"relapsed(?:/| or )refractory",
}
_SHORT = {
    abbreviation: re.compile(rf"\b{re.escape(abbreviation)}s?\b", re.IGNORECASE)
    for abbreviation in ABBREVIATIONS
}
_SHORT["RR"] = re.compile(r"\bR/R\b", re.IGNORECASE)
_LONG = {
    abbreviation: re.compile(rf"\b{form}\b", re.IGNORECASE)
    for abbreviation, form in ABBREVIATIONS.items()
}
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


def _expanded(text):
    """The text with a shared token for each abbreviation, wherever it or its long form
    stands, so that either form finds the other."""
    extra = []
    for abbreviation in ABBREVIATIONS:
        count = len(_SHORT[abbreviation].findall(text)) + len(_LONG[abbreviation].findall(text))
        extra += [f"{abbreviation}abbr"] * count
    return " ".join([text, *extra])


def _tokens(texts):
    return bm25s.tokenize(
        [_expanded(text) for text in texts],
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
class Answer:
    passage: Passage
    highlighted: str  # safe HTML: the passage, escaped, with matching words in <mark>


class _Index:
    def __init__(self, passages):
        self.passages = passages
        self.retriever = bm25s.BM25()
        self.retriever.index(_tokens([p.text for p in passages]), show_progress=False)


_indexes = {}  # activity id: (signature of its paragraphs, index)
_indexes_lock = threading.Lock()


def _current_index(activity):
    """The index for the activity's paragraphs as they are now: one small query each time,
    a rebuild when they have changed."""
    rows = list(
        Paragraph.objects.filter(lesson__activity=activity)
        .select_related("lesson__activity", "speaker")
        .order_by("lesson__order", "order")
    )
    signature = sha256(
        repr([(p.pk, p.text, p.speaker_id, p.lesson_id, p.lesson.heading) for p in rows]).encode()
    ).hexdigest()
    with _indexes_lock:
        cached = _indexes.get(activity.pk)
        if cached is None or cached[0] != signature:
            passages = [
                Passage(
                    text=p.text,
                    speaker=str(p.speaker) if p.speaker else "",
                    lesson_number=p.lesson.order,
                    lesson_heading=p.lesson.heading,
                    lesson_url=p.lesson.get_absolute_url(),
                )
                for p in rows
            ]
            cached = _indexes[activity.pk] = (signature, _Index(passages) if passages else None)
        return cached[1]


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


def ask(activity, question, limit=MAX_PASSAGES):
    """The passages that best answer the question, best first; none when nothing matches."""
    index = _current_index(activity)
    query = _tokens([question])[0]
    if index is None or not query:
        return []
    documents, scores = index.retriever.retrieve(
        [query], k=min(limit, len(index.passages)), show_progress=False
    )
    stems = set(query)
    floor = max(float(scores[0][0]) * MIN_SHARE_OF_BEST, 0) if len(scores[0]) else 0
    return [
        Answer(index.passages[doc], _highlight(index.passages[doc].text, stems))
        for doc, score in zip(documents[0], scores[0], strict=True)
        if score > 0 and score >= floor
    ]
