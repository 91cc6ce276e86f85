"""Ask the commentary: a learner's question answered with the faculty's own words.

The answer is made of passages quoted exactly from the lessons; no text is generated. Passages
are ranked by meaning, each word piece of the question matched with the passage's nearest in a
sentence model's vectors (`_Meaning`, `lessons.embedding`); a passage holding every word of the
question (BM25's words, bm25s; abbreviations the activity defines match their long forms both
ways) comes first. When no passage stands out in meaning and none holds every word, the answer
says the commentary does not cover the question. Without the sentence model, words alone rank.

The index is built from the database once per process and content version (the caller passes
the page cache's), so any content edit rebuilds it; the passages' vectors are kept by their
text, so a rebuild reads only what changed.
`manage.py evaluate_ask` measures it on the project's question sets (`ask_sets/`).
"""

import functools
import math
import re
import threading
from collections import Counter
from dataclasses import dataclass, field

import bm25s
import numpy as np
import Stemmer
from bm25s.stopwords import STOPWORDS_EN
from django.db.models import Prefetch
from django.utils.html import escape
from django.utils.safestring import mark_safe

from . import embedding
from .models import Lesson, Paragraph

MAX_PASSAGES = 3
# A passage scoring under this share of the best one matched only a word or two in passing.
MIN_SHARE_OF_BEST = 0.3
# "Not covered": no passage stands out from the commentary in meaning by STANDS_OUT, its match
# to the question (see _Meaning) over the median passage's. A question the commentary does not
# answer still matches every passage a little (the drugs' names, "dose", "risk"), and all of
# them alike; an answer stands out. Chosen on ask_sets/ as the cut that best separates its two
# sets (Youden's J): it refuses 28 of 33 unanswerable questions and 3 of 64 answerable ones.
# Neither the best match alone nor BM25's best score separates them as well (areas under the
# ROC curve 0.87 and 0.86, against 0.95).
STANDS_OUT = 0.125

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
_ROMAN = {"i": "1", "ii": "2", "iii": "3", "iv": "4"}
_PHASE = re.compile(r"\b(phase\s+)(iv|i{1,3})(?=[ab]?\b)", re.IGNORECASE)
# An abbreviation ({} is its pattern) as a word of its own, plural or not, not inside a
# hyphenated code; the plural "s" is left to whoever reads it.
_ABBREVIATION = r"(?<![\w-]){}(?=s?\b)"
_SENTENCE_END = re.compile(r"(?<=[.;!?])\s+(?=[A-Z])")


def _phases_in_digits(text):
    """ "phase III" as "phase 3", the way clinicians often write it."""
    return _PHASE.sub(lambda m: m.group(1) + _ROMAN[m.group(2).lower()], text)


class _Abbreviations:
    """Each abbreviation and its long forms, as the activity's data defines them (a plural "s"
    matches too, and any case). A text holding either form is indexed with a shared token, so
    that either form finds the other. An abbreviation inside a hyphenated code ("MM" in the
    trial "CC-92480-MM-001") is not one."""

    def __init__(self, rows):
        forms = {}
        self.long_forms = {}  # each abbreviation's first long form, for the sentence model
        for short, long in rows:
            self.long_forms.setdefault(short.lower(), long)
            forms.setdefault(short, [_ABBREVIATION.format(re.escape(short)) + "s?"]).append(
                rf"\b{re.escape(long)}s?\b"
            )
        self.patterns = [
            (re.sub(r"\W", "", short) + "abbr", re.compile("|".join(patterns), re.IGNORECASE))
            for short, patterns in forms.items()
        ]
        shorts = sorted(forms, key=len)[::-1]  # the longest first, where one holds another
        self.shorts = re.compile(
            "|".join(_ABBREVIATION.format(re.escape(short)) for short in shorts) or r"(?!)",
            re.IGNORECASE,
        )

    def spelled_out(self, text):
        """The text with each abbreviation in its long form, and phases in digits: what the
        sentence model reads, so that "MM" (or "mm") and "multiple myeloma" mean the same
        to it."""
        return self.shorts.sub(lambda m: self.long_forms[m[0].lower()], _phases_in_digits(text))

    def expanded(self, text):
        text = _phases_in_digits(text)
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


@dataclass(frozen=True)
class Answer:
    """The passages that answer a question, best first. When the commentary does not cover the
    question, `covered` is false and `quotes` holds at most the one passage nearest to it."""

    covered: bool
    quotes: list = field(default_factory=list)


@functools.lru_cache(maxsize=256)  # about 60 MB at most; this activity's 14 take 3 MB
def _passage_vectors(text):
    """A passage's pieces and their vectors, kept across rebuilds of the index: an edit reads
    again only the passages it changed, and a content version renewed with no edit (every
    request while Redis is gone) reads nothing, where the whole commentary takes a second.
    Questions are never kept."""
    return embedding.token_vectors(text)


def _centred(vectors, mean):
    vectors = vectors - mean
    lengths = np.linalg.norm(vectors, axis=-1, keepdims=True)
    return vectors / np.where(lengths > 0, lengths, 1)


class _Meaning:
    """How near in meaning each passage comes to a question. Each word piece of the question is
    matched with the passage's piece nearest to it, both as the sentence model reads them in
    their context, and the matches are averaged, weighted by how rare the piece is among the
    commentary's sentences: BERTScore's recall with idf weights (Zhang et al., 2020). So
    "by mouth" meets "oral" and "worn-out T cells" meets "exhausted T-cell", where one vector a
    passage blurs a sentence that answers into the rest. The vectors are taken from the mean
    of the commentary's: every passage is about CELMoDs in myeloma, and what they share would
    otherwise dominate every similarity. Punctuation weighs nothing.

    On the first 40 questions of ask_sets/, before these were tuned, this ranked 80% first (the
    question always counted as covered), against 65% for the passages' pooled vectors (best
    sentence, pair or whole), 52% for BM25, and 57% and 65% for either fused with BM25 by
    reciprocal rank fusion; on the 24 written later, 92%, against 83%, 88%, 96% and 88%. So
    words join the ranking only through the rule below; see docs/architecture.md."""

    def __init__(self, texts):
        encoded = [_passage_vectors(text) for text in texts]
        vectors = np.concatenate([vectors for _, vectors in encoded])
        self.mean = vectors.mean(axis=0)
        self.vectors = _centred(vectors, self.mean)
        self.starts = np.cumsum([0] + [len(vectors) for _, vectors in encoded[:-1]])
        sentences = [
            set(embedding.pieces(sentence))
            for text in texts
            for sentence in _SENTENCE_END.split(text)
        ]
        self.sentence_count = len(sentences)
        self.sentences_with = Counter(piece for sentence in sentences for piece in sentence)

    def weight(self, piece):
        """The piece's inverse sentence frequency (as BM25 weighs a word); 0 for punctuation, and
        for a piece the model does not know (an emoji, a script it was not taught), which would
        otherwise weigh the most, being in no sentence."""
        if piece == embedding.UNKNOWN or not any(character.isalnum() for character in piece):
            return 0.0
        having = self.sentences_with[piece]
        return math.log(1 + (self.sentence_count - having + 0.5) / (having + 0.5))

    def similarities(self, question):
        pieces, vectors = embedding.token_vectors(question)
        weights = np.array([self.weight(piece) for piece in pieces])
        if not weights.any():
            return np.zeros(len(self.starts))
        matches = _centred(vectors, self.mean) @ self.vectors.T  # question pieces x passages'
        nearest = np.maximum.reduceat(matches, self.starts, axis=1)  # each piece's best a passage
        return weights @ nearest / weights.sum()


class _Index:
    def __init__(self, passages, abbreviations):
        self.passages = passages
        self.abbreviations = abbreviations
        tokens = abbreviations.tokens([p.text for p in passages])
        self.words = [set(words) for words in tokens]
        self.retriever = bm25s.BM25()
        self.retriever.index(tokens, show_progress=False)
        self.meaning = (
            _Meaning([abbreviations.spelled_out(p.text) for p in passages])
            if embedding.available()
            else None
        )


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
        if embedding.pieces(paragraph.text)  # a blank paragraph answers nothing
    ]
    abbreviations = list(activity.abbreviations.values_list("short", "long"))
    return _Index(passages, _Abbreviations(abbreviations)) if passages else None


def _highlight(text, stems, abbreviations):
    """The text, escaped, with the question's words marked, and either form of an abbreviation
    the question used (asking "overall response rate" marks "ORR")."""
    spans = [
        m.span()
        for m in _WORD.finditer(text)
        if _stemmer.stemWord(m[0].lower()) in stems
        and not abbreviations.shorts.fullmatch(m[0])  # marked below, where one is one
    ]
    for token, pattern in abbreviations.patterns:
        if _stemmer.stemWord(token.lower()) in stems:
            spans += [m.span() for m in pattern.finditer(text)]
    pieces, last = [], 0
    for start, end in sorted(spans):
        if start < last:
            continue  # inside a form already marked
        pieces += [escape(text[last:start]), f"<mark>{escape(text[start:end])}</mark>"]
        last = end
    pieces.append(escape(text[last:]))
    return mark_safe("".join(pieces))  # every piece above is escaped


def ask(activity, question, *, version, limit=MAX_PASSAGES):
    """The answer to the question from the commentary (see `Answer`). `version` names the
    content as it is now: the index is rebuilt when it changes."""
    index = _current_index(activity, version)
    if index is None or not (query := index.abbreviations.tokens([question])[0]):
        return Answer(covered=False)
    words = index.retriever.get_scores(query)
    stems = set(query)
    if index.meaning is None:
        # Words alone cannot tell an answer from a passage that shares a word with the question
        # (see STANDS_OUT): as before the sentence model, any match answers.
        meaning, ranking = None, words
        covered = words.max() > 0
    else:
        # Meaning ranks (see _Meaning for why words do not join the ranking); words still put
        # first, and count as covered, a passage holding them all (below).
        meaning = index.meaning.similarities(index.abbreviations.spelled_out(question))
        ranking = meaning = meaning - np.median(meaning)  # how far each passage stands out
        # One word stands out further by chance (few pieces to average): words the commentary
        # does not treat ("price", "pregnancy", "infection") stand out by 0.18 to 0.22, its own
        # in other words ("tiredness", "diarrhoea") by 0.33 and more; twice STANDS_OUT parts them.
        covered = meaning.max() >= (STANDS_OUT if len(stems) > 1 else 2 * STANDS_OUT)
    # A passage holding every word of the question (its stopwords aside) answers it, however
    # short the question: a search by a term of the commentary ("cereblon") may not stand out
    # in meaning, yet is plainly covered, and a search by the commentary's words ("grade 3/4
    # neutropenia mezigdomide 76%") wants the passage that has them all first. On ask_sets/
    # no unanswerable question has all its words in one passage; two answerable ones do, one
    # in the passage that answers it, the other ("Which is the more potent CELMoD...") in the
    # cereblon passage ("potently"), which the rule puts first wrongly.
    holding_all = {n for n, passage_words in enumerate(index.words) if stems <= passage_words}
    covered = covered or bool(holding_all)

    def on_its_own(number):
        """A passage after the first is quoted only when it is a good match itself."""
        if words[number] > 0 and words[number] >= words.max() * MIN_SHARE_OF_BEST:
            return True
        return meaning is not None and meaning[number] >= STANDS_OUT

    best = sorted(
        (int(n) for n in np.argsort(-ranking, kind="stable")), key=lambda n: n not in holding_all
    )
    if covered:
        chosen = best[:1] + [n for n in best[1:limit] if on_its_own(n)]
    else:
        # The nearest passage that shares a word with the question, shown as only related.
        chosen = [n for n in best if words[n] > 0][:1]
    quotes = [
        Quote(index.passages[n], _highlight(index.passages[n].text, stems, index.abbreviations))
        for n in chosen
    ]
    return Answer(covered=covered, quotes=quotes)
