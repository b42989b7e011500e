"""Text clean-up shared by search, classification, duplicates and hot spots (no Django)."""

from __future__ import annotations

import hashlib
import re
import unicodedata

_SPACE = re.compile(r"\s+")


def normalize(text: str | None) -> str:
    """NFKC (full-width → half-width), runs of whitespace/tabs/\u3000 collapsed, trimmed."""
    if not text:
        return ""
    return _SPACE.sub(" ", unicodedata.normalize("NFKC", str(text))).strip()


_NONWORD = re.compile(r"[\W_]+")


def text_hash(text: str | None) -> str:
    """A stable key of a message's text: equal after normalisation and without spaces/punctuation."""
    return hash_normalized(normalize(text))


def hash_normalized(text: str) -> str:
    """``text_hash`` of a text already ``normalize``d (a caller that has it saves the normalising)."""
    return hashlib.sha1(_NONWORD.sub("", text.lower()).encode()).hexdigest()[:20]


def bigrams(text: str) -> list[str]:
    """Overlapping CJK character bigrams of each run of Han characters (plus single chars of short runs)."""
    out: list[str] = []
    for run in re.findall(r"[\u4e00-\u9fff]+", text):
        if len(run) == 1:
            out.append(run)
        out.extend(run[i:i + 2] for i in range(len(run) - 1))
    return out
