"""A plain CSV read into codes with numpy: each column as (distinct cells, one code per row).

The answers file of a 100,000-person company is 7.2 M rows of four short cells drawn from a few
thousand values. pandas' C parser reads it well, but loading pandas costs a fresh process ~0.5 s
(a third of the time a 720,000-row import may take), and its frame held the command's peak memory
above 1 GB at 7.2 M rows. This reader handles the plain case, which is what HR tools and
spreadsheets write for such a file: no quote character, no carriage return, no NUL byte, and every
line as wide as the header. Anything else returns None, and the caller reads the file with pandas
as before: the result is the same either way.

How, without a Python object per row: a piece of the file at a time, the delimiters are found
with one comparison over its bytes, and each cell is read as 8-byte words (an overlapping view of
the bytes) from which an integer is made. For a cell of at most 8 bytes that integer *is* its bytes
(masked to its length; no NUL byte, so no two cells share one); longer cells mix their words, and
each such cell is then compared word by word with the value it was matched to, so a match is exact.
Cells are matched to a sorted vocabulary (np.searchsorted); values it does not hold yet are
decoded once each and added.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import numpy as np

PIECE_BYTES = 1 << 25  # ~880,000 rows of the answers file a piece
COMMA, NEWLINE = 44, 10
_MIX = 0x9E3779B97F4A7C15


class NotPlain(Exception):
    """The file is not a plain CSV in the sense above (or two long cells would share an integer)."""


def read_coded(
    raw: bytes, start: int, *, width: int, positions: list[int], known: list[Iterable[str]]
) -> list[tuple[list[str], np.ndarray]] | None:
    """The columns at `positions` of the rows from byte `start` of `raw` (the first data line)
    as (distinct cells, int32 codes into them), or None if the file is not plain.

    `width`: the header's number of cells. `known`: per position, values expected in it (matched
    without being decoded from the file; any others are found as they come)."""
    import numpy as np

    if raw.find(b'"', start) != -1 or raw.find(b"\r", start) != -1 or raw.find(b"\0", start) != -1:
        return None
    vocabularies = [_Vocabulary(values) for values in known]
    codes: list[list[np.ndarray]] = [[] for _ in positions]
    try:
        for data in _pieces(raw, start):
            buffer = np.frombuffer(data, dtype=np.uint8)
            text = buffer[: len(data) - 8]  # 8 bytes of padding: a word read at any cell's start stays inside
            delimiters = np.flatnonzero((text == COMMA) | (text == NEWLINE))
            if len(delimiters) % width:
                return None
            ends = delimiters.reshape(-1, width)
            # Each row's last delimiter a newline, and no other newline: every other one is a comma.
            if data.count(b"\n") != len(ends) or not (text[ends[:, -1]] == NEWLINE).all():
                return None
            words = _words(data)
            for column, position in enumerate(positions):
                if position:
                    begins = ends[:, position - 1] + 1
                else:
                    begins = np.empty(len(ends), dtype=np.int64)
                    begins[0] = 0
                    begins[1:] = ends[:-1, -1] + 1
                lengths = ends[:, position] - begins
                codes[column].append(vocabularies[column].codes(data, words, begins, lengths))
    except NotPlain:
        return None
    return [
        (vocabulary.strings, np.concatenate(parts) if parts else np.empty(0, dtype=np.int32))
        for vocabulary, parts in zip(vocabularies, codes, strict=True)
    ]


def _pieces(raw: bytes, start: int) -> Iterable[bytes]:
    """Whole lines of `raw` from `start`, about PIECE_BYTES at a time, each ending in a newline
    (the file's last line may lack one) and followed by 8 bytes of padding."""
    end = len(raw)
    while start < end:
        stop = min(start + PIECE_BYTES, end)
        if stop < end:
            cut = raw.rfind(b"\n", start, stop)
            if cut == -1:
                cut = raw.find(b"\n", stop)
            stop = end if cut == -1 else cut + 1
        tail = bytes(8) if raw[stop - 1] == NEWLINE else b"\n" + bytes(8)
        yield b"".join((memoryview(raw)[start:stop], tail))  # one copy
        start = stop


def _words(data: bytes) -> np.ndarray:
    """Element i: the 8 bytes of `data` from byte i, as one little-endian integer (an overlapping view)."""
    import numpy as np

    return np.ndarray(shape=(len(data) - 7,), dtype="<u8", buffer=data, strides=(1,))


def _masks() -> np.ndarray:
    import numpy as np

    return np.array([(1 << (8 * n)) - 1 for n in range(9)], dtype=np.uint64)


def _integers(words: np.ndarray, begins: np.ndarray, lengths: np.ndarray) -> np.ndarray:
    """One integer per cell: its bytes if at most 8, else its words mixed (checked exactly after)."""
    import numpy as np

    masks = _masks()
    values = words[begins] & masks[np.minimum(lengths, 8)]
    long = np.flatnonzero(lengths > 8)
    if len(long):
        mixed, at, left = values[long], begins[long], lengths[long] - 8
        last = len(words) - 1
        while (left > 0).any():
            word = words[np.minimum(at + 8, last)] & masks[np.clip(left, 0, 8)]
            mixed = np.where(left > 0, (mixed * np.uint64(_MIX)) ^ word, mixed)
            at, left = at + 8, left - 8
        values[long] = mixed ^ (lengths[long].astype(np.uint64) << np.uint64(56))
    return values


def _word_matrix(words: np.ndarray, begins: np.ndarray, lengths: np.ndarray, count: int) -> np.ndarray:
    """Per cell, its first `count` words, each masked to the cell (zeros past its end)."""
    import numpy as np

    masks = _masks()
    matrix = np.zeros((len(begins), count), dtype=np.uint64)
    for k in range(count):
        left = np.clip(lengths - 8 * k, 0, 8)
        matrix[:, k] = words[np.minimum(begins + 8 * k, len(words) - 1)] & masks[left]
    return matrix


class _Vocabulary:
    """The distinct cells of one column met so far (code = position in `strings`), sorted by integer."""

    def __init__(self, values: Iterable[str]):
        import numpy as np

        self.strings: list[str] = []
        self.integers = np.empty(0, dtype=np.uint64)
        self.lengths = np.empty(0, dtype=np.int64)
        self.order = np.empty(0, dtype=np.int32)
        self.sorted = self.integers
        self.word_count, self.words = 1, None
        self.add(list(dict.fromkeys(values)))

    def add(self, strings: list[str]) -> None:
        import numpy as np

        if not strings:
            return
        encoded = [value.encode("utf-8") for value in strings]
        lengths = np.array([len(value) for value in encoded], dtype=np.int64)
        begins = np.concatenate([[0], np.cumsum(lengths)[:-1]]).astype(np.int64)
        data = b"".join(encoded) + bytes(8)
        integers = _integers(_words(data), begins, lengths)
        self.strings.extend(strings)
        self.integers = np.concatenate([self.integers, integers])
        self.lengths = np.concatenate([self.lengths, lengths])
        if len(np.unique(self.integers)) != len(self.integers):
            raise NotPlain("two values share an integer")  # possible only for values longer than 8 bytes
        self.order = np.argsort(self.integers).astype(np.int32)
        self.sorted = self.integers[self.order]
        self.word_count = int(-(-self.lengths.max() // 8)) if (self.lengths > 8).any() else 1
        self.words = None
        if self.word_count > 1:  # every value's words, in code order, to check long cells against
            everything = b"".join(value.encode("utf-8") for value in self.strings) + bytes(8)
            begins = np.concatenate([[0], np.cumsum(self.lengths)[:-1]]).astype(np.int64)
            self.words = _word_matrix(_words(everything), begins, self.lengths, self.word_count)

    def codes(self, data: bytes, words: np.ndarray, begins: np.ndarray, lengths: np.ndarray) -> np.ndarray:
        import numpy as np

        integers = _integers(words, begins, lengths)
        found, codes = self._find(integers)
        sample = 1 << 12
        while not found.all():
            # Values not met yet: learnt from the first few cells that hold them (most columns
            # have a few hundred values, all of them there), then from every cell left.
            new = np.flatnonzero(~found)
            new = new[:sample] if len(new) > 4 * sample else new
            _, first = np.unique(integers[new], return_index=True)
            at = new[first]
            cells = zip(begins[at].tolist(), lengths[at].tolist(), strict=True)
            self.add([data[b : b + n].decode("utf-8") for b, n in cells])
            found, codes = self._find(integers)
            sample *= 16
        long = np.flatnonzero(lengths > 8)
        if len(long):
            # Exactly the value matched: same length, same words.
            matched = codes[long]
            if (self.lengths[matched] != lengths[long]).any():
                raise NotPlain("a long cell matched another value")
            cells = _word_matrix(words, begins[long], lengths[long], self.word_count)
            if (cells != self.words[matched]).any():
                raise NotPlain("a long cell matched another value")
        return codes

    def _find(self, integers: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Per cell, whether its integer is known, and its code (0 where not)."""
        import numpy as np

        count = len(integers)
        if not len(self.sorted):
            return np.zeros(count, dtype=bool), np.zeros(count, dtype=np.int32)
        heads = np.flatnonzero(integers[1:] != integers[:-1]) + 1
        if len(heads) < count // 4:  # runs of one value (a rater's rows, one after the other): each searched once
            starts = np.concatenate([[0], heads])
            found, codes = self._search(integers[starts])
            runs = np.diff(np.append(starts, count))
            return np.repeat(found, runs), np.repeat(codes, runs)
        return self._search(integers)

    def _search(self, integers: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        import numpy as np

        at = np.minimum(np.searchsorted(self.sorted, integers), len(self.sorted) - 1)
        return self.sorted[at] == integers, self.order[at]
