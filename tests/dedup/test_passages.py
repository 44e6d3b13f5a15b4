"""Repeated passages: seed captions found, offsets point into the page, one read of the units."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from curation.dedup import find_repeated_passages, iter_repeated_passages
from curation.units import Document, Provenance, Sentence, Unit

LINE = "تابعونا على مواقع التواصل الاجتماعي"


def test_repeated_captions_on_the_seed_page_are_found(seed_units: list[Unit]) -> None:
    repeated = {p.text: p for p in find_repeated_passages(seed_units)}
    caption = "يجلس سائقو شاحنات الصهاريج المالية على الكراسي في انتظار عبور الحدود بين ساحل العاج ومالي بقرية نيغون بالقرب من تنغريلا... 31 أكتوبر 2025 (أ.ف.ب)"
    assert len(repeated[caption].occurrences) == 4
    nigeria = repeated["من الجماعات الإرهابية في نيجيريا (إعلام محلي)"]
    assert {o.kind for o in nigeria.occurrences} == {"line", "caption"}
    page = next(u for u in seed_units if isinstance(u, Document) and "002_" in u.provenance.path)
    for occurrence in nigeria.occurrences:
        assert page.text[occurrence.start : occurrence.end].endswith("(إعلام محلي)")


def test_a_one_pass_stream_is_enough(seed_units: list[Unit]) -> None:
    assert list(iter_repeated_passages(iter(seed_units))) == find_repeated_passages(seed_units)


def _page(doc_id: str, text: str) -> Document:
    return Document(id=doc_id, text=text, provenance=Provenance(f"{doc_id}.txt", None, "0"))


def test_most_frequent_first_and_a_stretch_seen_as_line_and_sentence_counts_once() -> None:
    other = "خبر عاجل من العاصمة اليوم"
    first = _page("d1", f"{LINE}\n{other}")
    sentence = Sentence(id="s1", doc_id="d1", article_id="a1", start=0, end=len(LINE), text=LINE)  # also line 1
    units = [first, sentence, _page("d2", f"{other}\n{LINE}"), _page("d3", f"{LINE}\nنص آخر لا يتكرر أبدا هنا")]
    found = find_repeated_passages(units)
    assert [(p.text, len(p.occurrences), p.documents) for p in found] == [(LINE, 3, 3), (other, 2, 2)]
    assert [(o.doc_id, o.kind, o.start) for o in found[0].occurrences] == [("d1", "line", 0), ("d2", "line", len(other) + 1), ("d3", "line", 0)]
    assert find_repeated_passages(units, min_occurrences=3) == found[:1]


def test_any_text_comes_back_as_it_was() -> None:
    odd = f"{LINE} \x00 \ud800"
    assert find_repeated_passages([_page("d1", odd), _page("d2", odd)])[0].text == odd


_FULL_DISK = """
import resource, signal, sys
from pathlib import Path
from curation.dedup.passages import PassageIndex
from curation.units import Document, Provenance
signal.signal(signal.SIGXFSZ, signal.SIG_IGN)  # a write past the limit fails with EFBIG, as on a full disk
resource.setrlimit(resource.RLIMIT_FSIZE, (256 * 1024, 256 * 1024))
index = PassageIndex(Path(sys.argv[1]))
try:
    for number in range(5000):
        text = "\\n".join(f"سطر رقم {number} {line} من صفحة طويلة جدا" for line in range(20))
        index.add_document(number, [Document(id=f"d{number}", text=text, provenance=Provenance("p.txt", None, "0"))])
    index.close()
except OSError as error:
    print(f"{error.filename}: {error.strerror}")
"""


def test_a_full_disk_under_the_passage_index_names_its_file(tmp_path: Path) -> None:
    """SQLite's "database or disk is full" names no file; the index's error does."""
    index = tmp_path / "passages.sqlite"
    ran = subprocess.run([sys.executable, "-c", _FULL_DISK, str(index)], capture_output=True, text=True, timeout=120)
    assert ran.returncode == 0 and "Traceback" not in ran.stderr, ran.stderr
    assert ran.stdout.strip() in (f"{index}: database or disk is full", f"{index}: disk I/O error")  # as SQLite words it
