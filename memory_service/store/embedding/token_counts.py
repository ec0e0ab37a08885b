"""Counting a text's tokens with the model's tokenizer, remembering recent counts.

Recall spends its budget in the model's tokens, so it counts every memory it shows, and
session after session it shows many of the same ones (the current decisions, the open
handoffs). A count depends on the text alone, so the most recent counts are kept by text
and only new texts reach the tokenizer.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from pathlib import Path

# Texts whose counts are kept: at most a few megabytes of recall items.
CAPACITY = 8192


class TokenCounter:
    """Tokens per text, without special tokens and never truncated."""

    def __init__(self, tokenizer_file: Path, capacity: int = CAPACITY) -> None:
        from tokenizers import Tokenizer

        self._tokenizer = Tokenizer.from_file(str(tokenizer_file))
        self._tokenizer.no_truncation()
        self._tokenizer.no_padding()
        self._capacity = capacity
        self._counts: OrderedDict[str, int] = OrderedDict()
        self._lock = threading.Lock()

    def count(self, text: str) -> int:
        [n] = self.count_many([text])
        return n

    def count_many(self, texts: list[str]) -> list[int]:
        """Each text's count: kept ones from memory, the rest in one tokenizer call."""
        with self._lock:
            known = {t: self._counts[t] for t in texts if t in self._counts}
            for t in known:
                self._counts.move_to_end(t)
        new = list(dict.fromkeys(t for t in texts if t not in known))
        if new:
            encodings = self._tokenizer.encode_batch(new, add_special_tokens=False)
            counted = {t: len(e.ids) for t, e in zip(new, encodings, strict=True)}
            with self._lock:
                self._counts.update(counted)
                while len(self._counts) > self._capacity:
                    self._counts.popitem(last=False)
            known.update(counted)
        return [known[t] for t in texts]
