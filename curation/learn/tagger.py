"""An entity tagger: a linear-chain CRF (sklearn-crfsuite) over clitic-split word pieces.

Annotators mark a name without the conjunction and preposition glued to it (وواشنطن: the span is
واشنطن), so a word is cut into pieces first: an optional و/ف, an optional ب/ك/ل, then the rest
(at least three letters left, as :mod:`curation.preannotate.clitics` asks of a stem). The letters
are not always clitics (بريطانيا, لبنان, وزارة, فيها), and text written with its clitics apart
(WikiFANE) has few glued ones: a clitic is cut off unless the unlabelled text (the pool the word
clusters read) shows the whole word often and its stem less often (:class:`Cutter`). The CRF tags
pieces in BIO and learns whether a clitic piece belongs to the name (بغداد) or not (بباماكو).
Features are the normalised piece, its affixes, its shape, its word clusters (learned from the gold's
and the unlabelled units' text, :mod:`curation.learn.clusters`), its neighbours, word pairs, its ±1
neighbours' middle-size clusters and the cluster pairs they make with its own and,
when a gazetteer is given, the label the gazetteer's match gives it and the labels of the listed names
its word (and its neighbours' words) are part of. Feature strings are built once per spelling.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING, Any

import numpy as np
import regex
from sklearn_crfsuite import CRF

from curation.learn.clusters import ClusterSettings, WordClusters, clusters_of, word_stream
from curation.normalize import normalize_text, text_normalizer
from curation.preannotate.clitics import DEFAULT_RULES, MIN_STEM
from curation.units import EntitySpan

if TYPE_CHECKING:
    from curation.preannotate.gazetteer import Gazetteer

WORD = regex.compile(r"[\p{L}\p{M}\p{N}_]+|[^\s\p{L}\p{M}\p{N}_]")
MATCH_OPTIONS = DEFAULT_RULES.options()  # the gazetteer's spelling folds, so features and names agree
LATIN = regex.compile(r"\p{Latin}+")
ARABIC = regex.compile(r"[\p{Arabic}\p{M}]+")
MAX_CACHED_PIECES = 200_000  # spellings whose features are kept (memory stays bounded)
CLITIC_LETTERS = "وفبكل"
CLITICS = regex.compile(r"^([وف]?)([بكل]?)(?=[\p{L}\p{M}]{" + str(MIN_STEM) + "})")
SEEN = 3  # a word the unlabelled text shows fewer times is cut as any other (the clusters' own min_count)
OUTSIDE = "O"
BEFORE, AFTER = "<s>", "</s>"  # the words beyond a text's ends
NEIGHBOURS = (-2, -1, 1, 2)  # the pieces whose words a piece's features name

Piece = tuple[int, int]  # code-point offsets in the text


@dataclass(frozen=True)
class TaggerSettings:
    """What a tagger is fitted with: part of the model's version."""

    c1: float = 0.05
    c2: float = 0.05
    max_iterations: int = 100
    clusters: ClusterSettings | None = field(default_factory=ClusterSettings)  # None: no word clusters
    all_possible_states: bool = True  # weigh every (attribute, tag) pair, unseen ones too (dev F1 77.7 -> 78.3)
    features: int = 5  # the feature set of :func:`features`, raised when it changes: the same gold then gets a new version


class Cutter:
    """Cuts a text into words and punctuation, each word's leading و/ف and ب/ك/ل off as pieces of their own,
    unless ``seen`` (whole normalised words the unlabelled text shows at least :data:`SEEN` times) says the
    letters are the word's own: the whole word is seen often and what is left without them less often
    (بريطانيا, لبنان, وكالة stay whole; وواشنطن, بالقاهرة are cut). A word seen seldom is cut: news glues
    its clitics. Without counts every word is cut. On WikiFANE dev this gave F1 78.9 (78.7 cutting every
    word, 78.7 cutting none) and 77.5 on the same text with its clitics glued (77.3; 69.8 cutting none),
    docs/benchmarks.md."""

    def __init__(self, seen: Mapping[str, int] | None = None) -> None:
        self.seen = seen or {}
        self._cuts: dict[str, int] = {}  # a spelling's letters of clitic, kept (up to MAX_CACHED_PIECES)
        self._normal = text_normalizer(MATCH_OPTIONS)

    def cut(self, word: str) -> int:
        """The letters of clitic before ``word``'s stem (0, 1 or 2), fewer clitics tried first."""
        found = self._cuts.get(word)
        if found is None:
            found = 0
            clitics = CLITICS.match(word)
            for end in (clitics.end(1), clitics.end(2)) if clitics is not None else ():
                if end > found:
                    whole = self.seen.get(self._normal(word[found:]), 0)
                    if whole >= SEEN and self.seen.get(self._normal(word[end:]), 0) < whole:
                        break
                    found = end
            if len(self._cuts) >= MAX_CACHED_PIECES:
                self._cuts.clear()
            self._cuts[word] = found
        return found

    def pieces(self, text: str) -> list[Piece]:
        """The words and punctuation of ``text``, each word's clitics (:meth:`cut`) pieces of their own."""
        found: list[Piece] = []
        for match in WORD.finditer(text):
            start, end = match.span()
            for _ in range(self.cut(match.group()) if text[start] in CLITIC_LETTERS else 0):
                found.append((start, start + 1))
                start += 1
            found.append((start, end))
        return found


def _shape(piece: str) -> str:
    if piece.isdigit():
        return "digit"
    if LATIN.fullmatch(piece):
        return "latin"
    return "arabic" if ARABIC.fullmatch(piece) else "other"


def _word_features(raw: str, clusters: WordClusters | None) -> _Word:
    """The feature strings a piece has wherever it stands, and those it gives its neighbours: words
    repeat (a batch's text has far fewer spellings than pieces), so they are built once per spelling.
    Strings are UTF-8 bytes, the form crfsuite reads without converting them."""
    norm = normalize_text(raw, MATCH_OPTIONS)
    own = [f"w:{norm}", f"p2:{norm[:2]}", f"p3:{norm[:3]}", f"p4:{norm[:4]}", f"s2:{norm[-2:]}", f"s3:{norm[-3:]}",
           f"s4:{norm[-4:]}", f"shape:{_shape(raw)}", f"len:{min(len(norm), 8)}"]  # fmt: skip
    if norm.startswith("ال"):
        own.append("al")
    ids = clusters.of.get(norm) if clusters is not None else None
    middle = b""
    if ids is not None and clusters is not None:
        own.extend(f"c{size}:{cluster}" for size, cluster in zip(clusters.sizes, ids, strict=True))
        middle = str(ids[len(ids) // 2]).encode()
    return _Word(norm, norm.encode(), tuple(name.encode() for name in own), _near(norm), middle)


@dataclass(frozen=True, slots=True)
class _Word:
    norm: str
    encoded: bytes  # the normalised word, as the word pairs name it
    own: tuple[bytes, ...]
    near: tuple[bytes, ...]  # per offset in NEIGHBOURS: what it gives the piece it stands at that offset from
    cluster: bytes = b""  # its cluster id at the middle granularity (256 of 64/256/1,024), b"" if it has none


def _near(word: str) -> tuple[bytes, ...]:
    """What ``word`` gives the piece it stands at each offset of :data:`NEIGHBOURS` from."""
    return tuple(f"{offset}:w:{word}".encode() for offset in NEIGHBOURS)


def _edge(word: str) -> _Word:
    return _Word(word, word.encode(), (), _near(word))


def _cluster_context(before: _Word, word: _Word, after: _Word) -> list[bytes]:
    """The ±1 neighbours' middle-size clusters and the pairs they make with the piece's: a context seen
    around names (قال X إن) generalises to the words that share its cluster (dev F1 77.7 -> 78.2, docs/benchmarks.md)."""
    found = []
    if before.cluster:
        found.append(b"-1:c:" + before.cluster)
        if word.cluster:
            found.append(b"-1|c:" + before.cluster + b"|" + word.cluster)
    if after.cluster:
        found.append(b"+1:c:" + after.cluster)
        if word.cluster:
            found.append(b"c|+1:" + word.cluster + b"|" + after.cluster)
    return found


class _Encoded(dict[str, bytes]):
    """``value -> b"prefix:value"``, each made once (the gazetteer's tags and labels are few)."""

    def __init__(self, prefix: str) -> None:
        super().__init__()
        self.prefix = prefix

    def __missing__(self, value: str) -> bytes:
        found = self[value] = f"{self.prefix}:{value}".encode()
        return found


PADDING = (_edge(BEFORE), _edge(BEFORE)), (_edge(AFTER), _edge(AFTER))
GAZ, BEFORE_GAZ = _Encoded("gaz"), _Encoded("-1:gaz")
PART, BEFORE_PART, AFTER_PART = _Encoded("part"), _Encoded("-1:part"), _Encoded("+1:part")


class FeatureMaker:
    """The pieces of a text and their features, with the word clusters (and the counts they bring the
    :class:`Cutter`) a tagger was fitted with; a spelling's strings are kept (up to :data:`MAX_CACHED_PIECES`)
    between texts."""

    def __init__(self, clusters: WordClusters | None = None) -> None:
        self.clusters = clusters
        # a model of feature set 4 or before has clusters without counts: it loads, then is refused with its set named
        self.cutter = Cutter(getattr(clusters, "seen", None))
        self._known: dict[str, _Word] = {}

    def __getstate__(self) -> dict[str, Any]:
        return {"clusters": self.clusters}  # the kept strings are rebuilt, not saved

    def __setstate__(self, state: dict[str, Any]) -> None:
        self.__init__(state["clusters"])  # type: ignore[misc]

    def _word(self, raw: str) -> _Word:
        found = self._known.get(raw)
        if found is None:
            if len(self._known) >= MAX_CACHED_PIECES:
                self._known.clear()
            found = self._known[raw] = _word_features(raw, self.clusters)
        return found

    def features(self, text: str, found: Sequence[Piece], gazetteer: Gazetteer | None = None) -> list[list[bytes]]:
        """One feature list per piece: its own (clusters included), its neighbours' words and word pairs, their
        clusters and cluster pairs, the gazetteer's tag, and the labels of listed names its word and its neighbours' words are part of."""
        padded = [*PADDING[0], *(self._word(text[start:end]) for start, end in found), *PADDING[1]]  # padded[index + 2] is the piece's
        listed = [BEFORE, *_gazetteer_tags(text, found, gazetteer)]
        parts = [BEFORE, *_name_parts([word.norm for word in padded[2:-2]], gazetteer), AFTER]
        rows = []
        for index, (start, _) in enumerate(found):
            before, word, after = padded[index + 1], padded[index + 2], padded[index + 3]
            row = [*word.own, b"-1|w:" + before.encoded + b"|" + word.encoded, b"w|+1:" + word.encoded + b"|" + after.encoded,
                   GAZ[listed[index + 1]], BEFORE_GAZ[listed[index]], BEFORE_PART[parts[index]], PART[parts[index + 1]],
                   AFTER_PART[parts[index + 2]], padded[index].near[0], before.near[1], after.near[2], padded[index + 4].near[3]]  # fmt: skip
            row.extend(_cluster_context(before, word, after))
            if start > 0 and not text[start - 1].isspace():
                row.append(b"glued")  # a clitic piece's stem, or a word after punctuation
            rows.append(row)
        return rows


def _gazetteer_tags(text: str, found: Sequence[Piece], gazetteer: Gazetteer | None) -> list[str]:
    if gazetteer is None:
        return [OUTSIDE] * len(found)
    return span_tags(found, gazetteer.match(text))


def _name_parts(words: Sequence[str], gazetteer: Gazetteer | None) -> list[str]:
    """Per piece, the labels of the listed names that hold its word (``-`` if none): a name not listed
    whole often shares a first name, a family name or a head word (جامعة) with one that is."""
    if gazetteer is None:
        return ["-"] * len(words)
    name_words = gazetteer.name_words()
    return [name_words.get(word, "-") for word in words]


def span_tags(found: Sequence[Piece], spans: Iterable[EntitySpan]) -> list[str]:
    """BIO tags of the pieces: a piece inside a span takes its label, the first one ``B-``."""
    tags = [OUTSIDE] * len(found)
    for span in spans:
        inside = [i for i, (start, end) in enumerate(found) if span.start <= start and end <= span.end]
        for position, index in enumerate(inside):
            tags[index] = ("B-" if position == 0 else "I-") + span.label
    return tags


def tag_spans(text: str, found: Sequence[Piece], tags: Sequence[str], confidence: Sequence[float]) -> list[tuple[EntitySpan, float]]:
    """The spans the tags describe (an ``I-`` without its ``B-`` opens one) with their mean piece confidence."""
    spans: list[tuple[EntitySpan, float]] = []
    current: list[int] = []
    label = None

    def close() -> None:
        if current and label is not None:
            start, end = found[current[0]][0], found[current[-1]][1]
            score = sum(confidence[i] for i in current) / len(current)
            spans.append((EntitySpan(start, end, label, text[start:end]), score))

    for index, tag in enumerate(tags):
        kind, _, name = tag.partition("-")
        if kind == "I" and name == label:
            current.append(index)
            continue
        close()
        current, label = ([index], name) if kind in ("B", "I") else ([], None)
    close()
    return spans


@dataclass
class EntityTagger:
    """A fitted tagger of one span family."""

    family: str
    crf: CRF
    maker: FeatureMaker = field(default_factory=FeatureMaker)

    def tag(self, texts: Sequence[str], gazetteer: Gazetteer | None = None) -> list[tuple[list[tuple[EntitySpan, float]], float]]:
        """Per text: its spans with scores, and the text's confidence: the probability of its whole best
        tagging, lower for each piece in doubt (the queue serves the lowest first: on WikiFANE this order
        needs fewer sentences than the least sure piece's marginal, bench/learn.py).

        The tags are the CRF's best sequence (Viterbi); a piece's score is the marginal of its tag, one
        look-up a piece rather than one per label."""
        tagger = self.crf.tagger_
        answers: list[tuple[list[tuple[EntitySpan, float]], float]] = []
        for text in texts:
            found = self.maker.cutter.pieces(text)
            if not found:
                answers.append(([], 1.0))
                continue
            tagger.set(self.maker.features(text, found, gazetteer))
            tags = tagger.tag()
            sure = [tagger.marginal(tag, index) for index, tag in enumerate(tags)]
            answers.append((tag_spans(text, found, tags, sure), tagger.probability(tags)))
        return answers


def word_clusters(texts: Iterable[str], settings: TaggerSettings) -> WordClusters | None:
    """The clusters of the pieces of ``texts`` (gold and unlabelled alike) the tagger's features read, with the
    counts of their frequent whole words the :class:`Cutter` reads, or None when the settings ask for none.

    One reading: the text as numbers of its whole words; their counts decide each spelling's cut once, and its
    pieces replace it in the stream the clusters read (``max_pieces`` counts whole words)."""
    if settings.clusters is None:
        return None
    spellings, stream = word_stream((WORD.findall(text) for text in texts), settings.clusters.max_pieces)
    normal = text_normalizer(MATCH_OPTIONS)
    counts: Counter[str] = Counter()
    for spelling, count in zip(spellings, np.bincount(stream[stream >= 0], minlength=len(spellings)).tolist(), strict=True):
        counts[normal(spelling)] += count
    seen = {word: count for word, count in counts.items() if count >= SEEN}
    cutter = Cutter(seen)
    names: dict[str, int] = {}  # normalised piece -> its number
    cut = [[names.setdefault(normal(spelling[start:end]), len(names)) for start, end in cutter.pieces(spelling)] for spelling in spellings]
    pieces = _replaced(stream, cut)
    return replace(clusters_of(list(names), pieces, settings.clusters), seen=seen)


def _replaced(stream: np.ndarray, by: Sequence[Sequence[int]]) -> np.ndarray:
    """``stream`` (numbers, -1 in the gaps between texts) with each number ``i`` replaced by the numbers ``by[i]``."""
    widths = np.array([*map(len, by), 1], dtype=np.int64)  # the last: a gap's -1 stays one -1
    flat = np.array([*(number for numbers in by for number in numbers), -1], dtype=np.int64)
    first = np.cumsum(widths) - widths  # where each number's replacement starts in flat
    at = np.where(stream >= 0, stream, len(by))
    width = widths[at]
    ends = np.cumsum(width)
    within = np.arange(int(ends[-1]) if len(ends) else 0) - np.repeat(ends - width, width)
    return flat[np.repeat(first[at], width) + within]


def fit_tagger(
    family: str,
    texts: Sequence[str],
    spans: Sequence[Sequence[EntitySpan]],
    settings: TaggerSettings,
    gazetteer: Gazetteer | Sequence[Gazetteer | None] | None = None,
    clusters: WordClusters | None = None,
) -> EntityTagger:
    """The tagger fitted on the gold sentences (a sentence with no span teaches what is not a name).

    ``gazetteer``: one for every text, or one per text. When the names come from the gold itself, give each
    text the gazetteer of the other folds' names, or the CRF learns that a listed name is always right.
    ``clusters``: :func:`word_clusters` of the gold's and the unlabelled text, read as features."""
    per_text = gazetteer if isinstance(gazetteer, Sequence) else [gazetteer] * len(texts)
    maker = FeatureMaker(clusters)
    rows, targets = [], []
    for text, gold, listed in zip(texts, spans, per_text, strict=True):
        found = maker.cutter.pieces(text)
        rows.append(maker.features(text, found, listed))
        targets.append(span_tags(found, gold))
    crf = CRF(algorithm="lbfgs", c1=settings.c1, c2=settings.c2, max_iterations=settings.max_iterations, all_possible_transitions=True,
              all_possible_states=settings.all_possible_states)
    crf.fit(rows, targets)
    return EntityTagger(family, crf, maker)
