"""CoNLL/BIO files: one ``token TAG`` (or ``token<TAB>TAG``, the tag in the last column) a line.

Sentences are separated by blank lines; a file with no blank line at all (ANERcorp style) is cut
after sentence-final punctuation instead. ``# text = ...`` comments give the sentence text the
tokens are aligned to; otherwise the text is rebuilt with one space between tokens. A UTF-8 BOM,
CRLF line ends, ``-DOCSTART-`` lines and bidi marks on tokens are all taken in stride.

A line that starts with ``#`` is a token when it reads as one (``#<TAB>O``, ``# B-MISC``: a token
and a well-formed tag), a comment otherwise. Nothing is left out silently: a token line without a
tag, an empty token or one made only of invisible marks is reported at its line.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from curation.imports.align import align, clean_token, has_bidi_marks, rebuild
from curation.imports.model import Answer, ImportedItem, ImportProblem
from curation.imports.tags import RepairPolicy, decode_tags, parse_tag
from curation.units import EntitySpan

SENTENCE_END = frozenset({".", "!", "?", "؟", "…", "۔"})
DOCSTART = "-DOCSTART-"
TEXT_COMMENT = "# text ="


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


def read_lines(path: Path) -> list[str]:
    """The file's lines: BOM dropped, CRLF or CR line ends accepted."""
    raw = path.read_bytes().decode("utf-8-sig")
    return raw.replace("\r\n", "\n").replace("\r", "\n").split("\n")


def _sentences(path: Path, lines: list[str], problems: list[ImportProblem]) -> Iterator[_Sentence]:
    separated = _has_separators(lines)
    current = _Sentence()
    for number, line in enumerate(lines, start=1):
        if not line.strip():
            if current.tokens:
                yield current
            current = _Sentence()
        elif line.startswith(TEXT_COMMENT):
            current.text, current.text_line = line[len(TEXT_COMMENT) :].strip(), number
        elif not _is_comment(line):
            token_tag = _token_tag(path, number, line, problems)
            if token_tag is None:
                continue
            current.add(*token_tag, number)
            if not separated and clean_token(token_tag[0]) in SENTENCE_END:
                yield current
                current = _Sentence()
    if current.tokens:
        yield current


def _has_separators(lines: list[str]) -> bool:
    """Whether blank lines separate the sentences (a last empty line is only the file's end), or
    there are no tokens at all; otherwise sentences are cut after sentence-final punctuation."""
    token_lines = [line for line in lines if line.strip() and not _is_comment(line)]
    return any(not line.strip() for line in lines[: len(lines) - 1]) or len(token_lines) == 0


def _fields(line: str) -> list[str]:
    """A line's columns: tab-separated as given (an empty token stays an empty column), else split
    on spaces."""
    if "\t" not in line:
        return line.split()
    fields = [f.strip(" ") for f in line.split("\t")]
    while len(fields) > 1 and not fields[-1]:
        fields.pop()
    return fields


def _is_comment(line: str) -> bool:
    """A ``#`` line that is not a token with a well-formed tag (``#<TAB>O`` is the token ``#``)."""
    if not line.startswith("#"):
        return False
    fields = _fields(line)
    return len(fields) != 2 or parse_tag(clean_token(fields[1])) is None


def _token_tag(path: Path, number: int, line: str, problems: list[ImportProblem]) -> tuple[str, str] | None:
    """The token (as given) and its tag (the last column) of a token line; None for a ``-DOCSTART-``
    line, a line with no tag or an empty token (each reported)."""
    fields = _fields(line)
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
    except (OSError, UnicodeDecodeError) as exc:
        problems.append(ImportProblem(str(path), None, f"cannot read: {getattr(exc, 'strerror', None) or exc}"))
        return
    for sentence in _sentences(path, lines, problems):
        item = _item(path, sentence, source, known, label_map or {}, policy, problems)
        if item is not None:
            yield item


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


def survey_tags(paths: Sequence[str | Path]) -> TagSurvey:
    """The labels and noise tags of every file in ``paths``, merged in the order given."""
    survey = TagSurvey()
    for path in paths:
        if not Path(path).is_file():  # a FIFO or /dev/zero would never end
            raise ValueError(f"{path}: not a regular file")
        for number, line in enumerate(read_lines(Path(path)), start=1):
            survey.given_text = survey.given_text or line.startswith(TEXT_COMMENT)
            fields = _fields(line)
            if len(fields) >= 2 and fields[0] != DOCSTART and not _is_comment(line):
                tag = clean_token(fields[-1])
                if tag:
                    survey.add(tag, f"{path}:{number}")
    return survey


def corpus_labels(path: str | Path) -> list[str]:
    """The distinct labels of a CoNLL file's tags, noise tags left out, in order of first appearance."""
    return list(survey_tags([path]).labels)
