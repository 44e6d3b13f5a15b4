"""CoNLL/BIO files: one ``token TAG`` (or ``token<TAB>TAG``, the tag in the last column) a line.

Sentences are separated by blank lines; a file with no blank line at all (ANERcorp style) is cut
after sentence-final punctuation instead. ``# text = ...`` comments give the sentence text the
tokens are aligned to; otherwise the text is rebuilt with one space between tokens. A UTF-8 BOM,
CRLF line ends, ``-DOCSTART-`` lines and bidi marks on tokens are all taken in stride.

A file whose tags carry no ``B-``/``I-`` prefix at all (IO tags: ``PERS``, ``LOC``, ``O``, as some corpora
are published) is read as IO: each run of one label is one mention (IO cannot tell two touching
mentions of one label apart). A bare tag in a file that has prefixed ones is malformed and reported.
A file in CoNLL-2003's IOB1 (``I-`` opens mentions, ``B-`` only after its own label) is read as such,
not as IOB2 with every opening ``I-`` reported.

A line that starts with ``#`` is a token when it reads as one (``#<TAB>O``, ``# B-MISC``: a token
and a well-formed tag), a comment otherwise. Nothing is left out silently: a token line without a
tag, an empty token or one made only of invisible marks is reported at its line.
"""

from __future__ import annotations

import codecs
import re
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from curation.imports.align import align, clean_token, has_bidi_marks, rebuild
from curation.imports.model import Answer, ImportedItem, ImportProblem
from curation.imports.tags import LABEL_PATTERN, OUTSIDE, RepairPolicy, decode_tags, parse_tag
from curation.units import EntitySpan

SENTENCE_END = frozenset({".", "!", "?", "؟", "…", "۔"})
DOCSTART = "-DOCSTART-"
TEXT_COMMENT = "# text ="
CONLLU_ID = re.compile(r"[0-9]+(?:[-.][0-9]+)?")


@dataclass
class _Sentence:
    tokens: list[str] = field(default_factory=list)
    tags: list[str] = field(default_factory=list)
    lines: list[int] = field(default_factory=list)
    text: str | None = None
    text_line: int | None = None

    def add(self, token: str, tag: str, line: int) -> None:
        self.tokens.append(token)
        self.tags.append(tag)
        self.lines.append(line)


class NotUtf8(ValueError):
    """A corpus file that is not UTF-8, with the line of its first undecodable byte."""

    def __init__(self, line: int, reason: str) -> None:
        super().__init__(f"line {line}: {reason}")
        self.line, self.reason = line, reason


def read_lines(path: Path) -> list[str]:
    """The file's lines: UTF-8 (its BOM dropped) or UTF-16 with a byte order mark, CRLF or CR line
    ends accepted; any other encoding raises :class:`NotUtf8`, never guessed."""
    raw = path.read_bytes()
    utf16 = raw.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE))
    try:
        text = raw.decode("utf-16") if utf16 else raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = raw.count(b"\n", 0, exc.start) + 1
        raise NotUtf8(line, f"not UTF-8: byte 0x{raw[exc.start]:02x} cannot be decoded (a Windows-1256 file? "
                            "convert it: iconv -f cp1256 -t utf-8)") from None
    return text.replace("\r\n", "\n").replace("\r", "\n").split("\n")


def _sentences(path: Path, lines: list[str], problems: list[ImportProblem]) -> Iterator[_Sentence]:
    """The file's sentences. Without blank lines a sentence ends after sentence-final punctuation,
    unless the next token continues the entity that punctuation is part of (``إيه . بي . سي``)."""
    layout = _Layout.of(lines)
    current, ended = _Sentence(), False
    stacked: list[int] = []  # token lines with several tag columns
    for number, line in enumerate(lines, start=1):
        if not line.strip():
            if current.tokens:
                yield current
            current, ended = _Sentence(), False
        elif line.startswith(TEXT_COMMENT):
            current.text, current.text_line = line[len(TEXT_COMMENT) :].strip(), number
        elif not layout.skipped(line, within=bool(current.tokens)):
            token_tag = _token_tag(path, number, line, layout, problems)
            if token_tag is None:
                continue
            if _several_tags(line, layout):
                stacked.append(number)
            if ended and not _continues(current.tags[-1], token_tag[1]):
                yield current
                current = _Sentence()
            current.add(*token_tag, number)
            ended = not layout.separated and clean_token(token_tag[0]) in SENTENCE_END
    if current.tokens:
        yield current
    if stacked:
        example = " ".join(_fields(lines[stacked[0] - 1])[layout.token_column + 1 :])
        problems.append(ImportProblem(str(path), stacked[0], f"{len(stacked)} token line(s) carry several tags ({example}: "
                                      "nested entities?): only the last column is read"))


_BARE_LABEL = re.compile(f"^{LABEL_PATTERN}$")


def _as_bio(sentences: list[_Sentence]) -> list[_Sentence]:
    """The sentences of an IO file (no tag with a prefix, some bare labels) or an IOB1 file with BIO
    (IOB2) tags; any other file as it is."""
    tags = [tag for sentence in sentences for tag in sentence.tags if tag != OUTSIDE]
    if tags and all(parse_tag(tag) is None and _BARE_LABEL.match(tag) for tag in tags):
        for sentence in sentences:
            sentence.tags[:] = [tag if tag == OUTSIDE else f"{'I' if tag == before else 'B'}-{tag}"
                                for before, tag in zip([OUTSIDE, *sentence.tags], sentence.tags)]
    elif _is_iob1(sentences):
        for sentence in sentences:
            sentence.tags[:] = [_opened(before, tag) for before, tag in zip([OUTSIDE, *sentence.tags], sentence.tags)]
    return sentences


def _after_own_label(before: str, label: str) -> bool:
    """Whether the tag ``before`` is a ``B-`` or ``I-`` of ``label``: a tag of it after it goes on its mention."""
    previous = parse_tag(before)
    return previous is not None and previous[0] in "BI" and previous[1] == label


def _opened(before: str, tag: str) -> str:
    """``I-X`` as ``B-X`` where it opens a mention (after anything but ``X``), IOB1 to IOB2."""
    parsed = parse_tag(tag)
    if parsed is None or parsed[0] != "I" or _after_own_label(before, parsed[1]):
        return tag
    return f"B-{parsed[1]}"


def _is_iob1(sentences: list[_Sentence]) -> bool:
    """CoNLL-2003's own scheme: ``I-`` opens mentions, ``B-`` only parts two touching mentions of one
    label (it always follows that label). An IOB2 file with a few lone ``I-`` is not: its ``B-`` open
    mentions after anything, and its lone ``I-`` are reported."""
    opened = False
    for sentence in sentences:
        for before, tag in zip([OUTSIDE, *sentence.tags], sentence.tags):
            parsed = parse_tag(tag)
            if parsed is None or parsed[0] not in "BI":
                continue
            continues = _after_own_label(before, parsed[1])
            if parsed[0] == "B" and not continues:
                return False
            opened = opened or (parsed[0] == "I" and not continues)
    return opened


def _several_tags(line: str, layout: _Layout) -> bool:
    """Whether every column after the token is a tag, and there are several (a nested layer each)."""
    tags = _fields(line)[layout.token_column + 1 :]
    return len(tags) >= 2 and all(parse_tag(clean_token(tag)) is not None for tag in tags)


def _continues(previous: str, tag: str) -> bool:
    """Whether ``tag`` goes on with the entity the ``previous`` tag is part of."""
    now = parse_tag(tag)
    return now is not None and now[0] in "IE" and _after_own_label(previous, now[1])


@dataclass(frozen=True, slots=True)
class _Layout:
    """How a file lays out its tokens: whether blank lines separate its sentences, and which column
    holds the token: the first, or the second in a CoNLL-U-like file (every token line starts with a
    word id: ``1<TAB>قال<TAB>...<TAB>O``), whose multiword ranges (``1-2``) and empty nodes (``8.1``)
    are not words and are skipped, as CoNLL-U says."""

    separated: bool
    token_column: int

    @classmethod
    def of(cls, lines: list[str]) -> _Layout:
        at = [number for number, line in enumerate(lines) if line.strip() and not _is_comment(line)]
        token_lines = [lines[number] for number in at]
        # only a blank line between two tokens separates: blank lines before the first token or after
        # the last (an ANERcorp file ending in an empty line) do not; a file without tokens has nothing to cut
        separated = not at or any(not line.strip() for line in lines[at[0] : at[-1]])
        conllu = bool(token_lines) and all(len(fields := _fields(line)) >= 3 and CONLLU_ID.fullmatch(fields[0])
                                           for line in token_lines)
        return cls(separated, 1 if conllu else 0)

    def skipped(self, line: str, *, within: bool) -> bool:
        """A comment, or a CoNLL-U multiword range or empty node. A ``#`` line of two columns
        between the tokens of a sentence is a token (a hashtag, whatever its tag): comments come
        before a sentence (``# newdoc id = 3`` stays one anywhere)."""
        fields = _fields(line)
        if self.token_column and CONLLU_ID.fullmatch(fields[0]) and not fields[0].isdigit():
            return True
        return _is_comment(line) and not (within and len(fields) == 2)


def _fields(line: str) -> list[str]:
    """A line's columns: tab-separated as given (an empty token stays an empty column), else split
    on spaces. Trailing spaces and tabs make no column; only a space or a tab separates (a no-break
    space is part of its token)."""
    line = line.rstrip(" \t")
    if "\t" not in line:
        return [f for f in line.split(" ") if f]
    return [f.strip(" ") for f in line.split("\t")]


def _is_comment(line: str) -> bool:
    """A ``#`` line that is not a token line: neither tab-separated columns (``#عاجل<TAB>OO``, its
    bad tag then reported) nor a token and a well-formed tag (``# B-MISC``)."""
    if not line.startswith("#"):
        return False
    fields = _fields(line)
    if len(fields) >= 2 and "\t" in line.rstrip(" \t"):
        return False
    return len(fields) != 2 or parse_tag(clean_token(fields[1])) is None


def _token_tag(path: Path, number: int, line: str, layout: _Layout, problems: list[ImportProblem]) -> tuple[str, str] | None:
    """The token (as given) and its tag (the last column) of a token line; None for a ``-DOCSTART-``
    line, a line with no tag or an empty token (each reported)."""
    fields = _fields(line)[layout.token_column :]
    if fields[0] == DOCSTART:
        return None
    tag = clean_token(fields[-1]) if len(fields) >= 2 else ""
    if not tag:
        problems.append(ImportProblem(str(path), number, f"no tag after token {fields[0]!r}: token left out"))
        return None
    if not fields[0].strip():
        problems.append(ImportProblem(str(path), number, f"empty token (tag {tag!r}): token left out"))
        return None
    return fields[0], tag


def _item(
    path: Path,
    sentence: _Sentence,
    source: str,
    known: frozenset[str],
    label_map: Mapping[str, str],
    policy: RepairPolicy,
    problems: list[ImportProblem],
) -> ImportedItem | None:
    where = str(path)
    given: list[str] = []
    tokens: list[str] = []
    tags: list[str] = []
    lines: list[int] = []
    for raw, tag, number in zip(sentence.tokens, sentence.tags, sentence.lines, strict=True):
        token = clean_token(raw)
        if not token:
            problems.append(ImportProblem(where, number, f"token is only invisible marks ({raw!r}): left out with its tag {tag!r}"))
            continue
        given.append(raw)
        tokens.append(token)
        tags.append(tag)
        lines.append(number)
    if not tokens:
        return None
    offsets: list[tuple[int, int]] | int = -1
    if sentence.text is not None:
        text = clean_token(sentence.text) if has_bidi_marks(sentence.text) else sentence.text
        offsets = align(text, tokens)
        if isinstance(offsets, int):
            problems.append(ImportProblem(where, lines[offsets], f"token {tokens[offsets]!r} is not in the '# text' of line {sentence.text_line}: text rebuilt from the tokens"))
    if isinstance(offsets, int):
        text, offsets = rebuild(tokens)
    runs, tag_problems = decode_tags(tags, known, label_map, policy)
    for problem in tag_problems:
        problems.append(ImportProblem(where, lines[problem.token], problem.message))
    spans = tuple(
        EntitySpan(offsets[run.first][0], offsets[run.last][1], run.label, text[offsets[run.first][0] : offsets[run.last][1]])
        for run in runs
    )
    answer = Answer(source, spans, lines=tuple(lines[run.first] for run in runs))
    return ImportedItem(key=f"{path.name}:{lines[0]}", text=text, path=where, line=lines[0], answers=(answer,),
                        tokens=tuple(given), token_offsets=tuple(offsets))


def read_conll(
    path: str | Path,
    source: str,
    known: frozenset[str],
    label_map: Mapping[str, str] | None = None,
    policy: RepairPolicy = "lenient",
    problems: list[ImportProblem] | None = None,
) -> Iterator[ImportedItem]:
    """One item per sentence; problems (with file and line) are appended to ``problems``."""
    path = Path(path)
    problems = problems if problems is not None else []
    try:
        lines = read_lines(path)
    except NotUtf8 as exc:
        problems.append(ImportProblem(str(path), exc.line, f"{exc.reason}: file not read"))
        return
    except OSError as exc:
        problems.append(ImportProblem(str(path), None, f"cannot read: {exc.strerror or exc}"))
        return
    read = False
    for sentence in _as_bio(list(_sentences(path, lines, problems))):
        read = True
        item = _item(path, sentence, source, known, label_map or {}, policy, problems)
        if item is not None:
            yield item
    if not read:
        problems.append(ImportProblem(str(path), None, _nothing_read(lines)))


def _nothing_read(lines: list[str]) -> str:
    if not any(line.strip() for line in lines):
        return "empty file: nothing imported"
    return "no token line (a token and its tag) read: nothing imported"


NUMBERED_VARIANT = re.compile(r"-[0-9]+$")
LANGUAGE_MARKERS = frozenset({"ENGLISH", "FRENCH", "LATIN", "FOREIGN", "NON-ARABIC", "NONARABIC"})
"""Labels some corpora put on a word for its language or script: a fact about the word, not an entity type."""


@dataclass
class TagSurvey:
    """What the tags of one or more CoNLL files make of a label set: the labels, in order of first
    appearance, and the noise tags left out of it, each with its count and first ``file:line``.

    A tag is noise when it does not follow the tag grammar (``OO``, a bare ``ENGLISH``), when its
    label is a numbered variant (``MIS-1``: ``LABEL-N``, a label then a hyphen and digits only) or
    when its label marks a word's language or script (:data:`LANGUAGE_MARKERS`) rather than an entity."""

    labels: dict[str, None] = field(default_factory=dict)
    noise: dict[tuple[str, str], tuple[int, str]] = field(default_factory=dict)  # (tag, reason) -> (count, first place)
    given_text: bool = False  # a ``# text =`` line gives a sentence's text: its tokens may be pieces of words

    @property
    def granularity(self) -> str:
        """Where the corpus's spans may start: ``word`` when its text is its tokens one space apart (every
        entity is whole words, as a schema's pre-annotation should be), ``symbol`` when a given text may
        hold tokens inside words."""
        return "symbol" if self.given_text else "word"

    def add(self, tag: str, where: str) -> None:
        parsed = parse_tag(tag)
        reason = _noise_reason(parsed)
        if reason is None:
            if parsed is not None and parsed[1]:
                self.labels.setdefault(parsed[1], None)
            return
        key = (parsed[1] if parsed is not None else tag, reason)
        count, first = self.noise.get(key, (0, where))
        self.noise[key] = (count + 1, first)

    def problems(self) -> list[str]:
        return [f"{first}: noise tag {tag!r} ({reason}; {count} token(s)): not made a label; a label map can "
                "rename it if it is one" for (tag, reason), (count, first) in self.noise.items()]


def _noise_reason(parsed: tuple[str, str] | None) -> str | None:
    if parsed is None:
        return "not a BIO tag"
    label = parsed[1]
    if NUMBERED_VARIANT.search(label):
        return "a numbered variant of a label"
    if label.upper() in LANGUAGE_MARKERS:
        return "marks a language, not an entity"
    return None


def survey_tags(paths: Sequence[str | Path], survey: TagSurvey | None = None) -> TagSurvey:
    """The labels and noise tags of every CoNLL file in ``paths``, merged in the order given (into
    ``survey`` when one is given)."""
    survey = survey if survey is not None else TagSurvey()
    for path in paths:
        if not Path(path).is_file():  # a FIFO or /dev/zero would never end
            raise ValueError(f"{path}: not a regular file")
        try:
            lines = read_lines(Path(path))
        except NotUtf8 as exc:
            raise ValueError(f"{path}:{exc.line}: {exc.reason}") from None
        for sentence in _as_bio(list(_sentences(Path(path), lines, []))):  # the import reports bad lines
            survey.given_text = survey.given_text or sentence.text is not None
            for tag, number in zip(sentence.tags, sentence.lines, strict=True):
                survey.add(tag, f"{path}:{number}")
    return survey


def corpus_labels(path: str | Path) -> list[str]:
    """The distinct labels of a CoNLL file's tags, noise tags left out, in order of first appearance."""
    return list(survey_tags([path]).labels)
