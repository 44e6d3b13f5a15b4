"""A small annotated corpus for the model loop: short sport and economy articles, segmented as
`curation segment` does, each answered by two annotators (topic and stance per article, entities
per sentence), with the names' offsets computed from the text."""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

import pytest

from curation.ingest import expand_inputs, read_documents
from curation.segment.pipeline import segment_document
from curation.studio.tasks import unit_text
from curation.unitfile import iter_units, write_unit_records
from curation.units import Annotation, Article, EntitySpan, Sentence

SPORT = [
    "فاز نادي الأهلي على الزمالك بهدفين في مباراة الدوري المصري. وسجل محمد صلاح هدفا في الشوط الثاني.",
    "تأهل المنتخب المغربي إلى نصف نهائي كأس الأمم الأفريقية. وقاد وليد الركراكي الفريق إلى الفوز.",
    "خسر نادي برشلونة أمام ريال مدريد في الدوري الإسباني. وأحرز كريم بنزيمة هدف المباراة الوحيد.",
    "توج العداء المغربي سفيان البقالي بذهبية سباق الموانع في بطولة العالم لألعاب القوى.",
    "أعلن الاتحاد القطري لكرة القدم تعيين مدرب جديد للمنتخب قبل مباريات التصفيات. ويستعد الفريق للمباراة في الدوحة.",
    "فاز الهلال السعودي بلقب دوري أبطال آسيا بعد مباراة صعبة في الرياض. واحتفل اللاعبون بالكأس مع الجماهير.",
]
ECONOMY = [
    "ارتفعت أسعار النفط في الأسواق العالمية بعد قرار منظمة أوبك خفض الإنتاج. وتراجع سعر الدولار أمام اليورو.",
    "أعلن البنك المركزي المصري رفع سعر الفائدة لمواجهة التضخم. وانخفضت قيمة الجنيه في السوق الموازية.",
    "سجلت بورصة الرياض مكاسب قوية بدعم من أسهم البنوك والطاقة. وارتفع مؤشر السوق بنسبة اثنين في المئة.",
    "وقعت شركة أرامكو اتفاقا لتوريد الغاز الطبيعي إلى الصين. وتبلغ قيمة الصفقة مليارات الدولارات.",
    "تراجعت معدلات البطالة في الأردن خلال الربع الأخير من العام بحسب دائرة الإحصاءات العامة.",
    "قررت الحكومة التونسية زيادة أسعار الوقود ضمن اتفاق مع صندوق النقد الدولي. وانتقد الاتحاد العام للشغل القرار.",
]
NAMES = {
    "محمد صلاح": "PER", "وليد الركراكي": "PER", "كريم بنزيمة": "PER", "سفيان البقالي": "PER",
    "الأهلي": "ORG", "الزمالك": "ORG", "برشلونة": "ORG", "ريال مدريد": "ORG", "أوبك": "ORG", "أرامكو": "ORG",
    "البنك المركزي المصري": "ORG", "صندوق النقد الدولي": "ORG", "الهلال": "ORG",
    "الدوحة": "GPE", "الرياض": "GPE", "الصين": "GPE", "الأردن": "GPE",
}  # fmt: skip
ANNOTATORS = ("amal", "badr")


@dataclass
class Gold:
    """A segmented corpus and its annotation stores."""

    units: Path
    article_store: Path
    sentence_store: Path
    articles: dict[str, str]  # unit id -> the topic both annotators chose
    sentences: list[str]  # sentence unit ids

    @property
    def stores(self) -> list[Path]:
        return [self.article_store, self.sentence_store]


def names_in(text: str) -> tuple[EntitySpan, ...]:
    """Every listed name in ``text`` (the longest first wins), offsets computed from the text."""
    spans: list[EntitySpan] = []
    for name in sorted(NAMES, key=len, reverse=True):
        start = text.find(name)
        while start >= 0:
            if not any(s.start < start + len(name) and start < s.end for s in spans):
                spans.append(EntitySpan(start, start + len(name), NAMES[name], name))
            start = text.find(name, start + 1)
    return tuple(sorted(spans, key=lambda s: s.start))


def write_store(path: Path, annotations: list[Annotation]) -> Path:
    path.write_text("".join(json.dumps(a.to_record(), ensure_ascii=False) + "\n" for a in annotations), encoding="utf-8")
    return path


def make_gold(folder: Path, flipped: int = 0) -> Gold:
    """The corpus with both annotators agreeing everywhere (``flipped``: that many sport articles
    both call economy, a different gold)."""
    pages = folder / "pages"
    pages.mkdir(parents=True)
    for number, text in enumerate(SPORT + ECONOMY):
        (pages / f"{number:02d}.txt").write_text(text + "\n", encoding="utf-8")
    errors: list = []
    records = [r for d in read_documents(expand_inputs([pages], errors), errors) for r in segment_document(d).records()]
    assert not errors
    units = folder / "units.jsonl"
    write_unit_records(units, records)
    articles: dict[str, str] = {}
    article_answers, sentence_answers, sentences = [], [], []
    for unit in iter_units(units):
        if isinstance(unit, Article) and unit.role == "main":
            text = unit_text(unit)
            topic = "sport" if any(text.startswith(page[:20]) for page in SPORT) else "economy"
            if topic == "sport" and flipped:
                topic, flipped = "economy", flipped - 1
            articles[unit.id] = topic
            for who in ANNOTATORS:
                article_answers.append(Annotation(unit.id, "article", who, f"{unit.id}-{who}",
                                                  choices={"topic": (articles[unit.id],), "stance": ("unrelated",)}))  # fmt: skip
        elif isinstance(unit, Sentence):
            sentences.append(unit.id)
            for who in ANNOTATORS:
                sentence_answers.append(Annotation(unit.id, "sentence", who, f"{unit.id}-{who}", choices={"stance": ("unrelated",)},
                                                   spans=names_in(unit.text)))  # fmt: skip
    return Gold(units, write_store(folder / "news-article.jsonl", article_answers),
                write_store(folder / "news-sentence.jsonl", sentence_answers), articles, sentences)


@pytest.fixture
def gold(tmp_path: Path) -> Gold:
    return make_gold(tmp_path / "corpus")


def _sentences(pages: list[str]) -> list[str]:
    return [part.strip().rstrip(".") + "." for page in pages for part in page.split(". ") if part.strip()]


@dataclass
class TopicGold:
    """Articles answered by three annotators: amal and badr careful, ziad wrong on every third;
    ``flipped``: articles both careful ones mislabelled, so the gold (the majority) is wrong there."""

    units: Path
    store: Path
    truth: dict[str, str]  # unit id -> the topic its text is about
    flipped: list[str]


def make_topic_gold(folder: Path, per_topic: int = 20, flipped: int = 2) -> TopicGold:
    pages = folder / "pages"
    pages.mkdir(parents=True)
    texts = []
    for topic, pool in (("sport", _sentences(SPORT)), ("economy", _sentences(ECONOMY))):
        pairs = [(i, j) for i in range(len(pool)) for j in range(len(pool)) if i != j][:per_topic]
        texts += [(topic, f"{pool[i]} {pool[j]}") for i, j in pairs]
    for number, (_, text) in enumerate(texts):
        (pages / f"{number:03d}.txt").write_text(text + "\n", encoding="utf-8")
    errors: list = []
    records = [r for d in read_documents(expand_inputs([pages], errors), errors) for r in segment_document(d).records()]
    assert not errors
    units = folder / "units.jsonl"
    write_unit_records(units, records)
    topic_of = {text: topic for topic, text in texts}
    truth, wrong, answers = {}, [], []
    for number, unit in enumerate(u for u in iter_units(units, "article") if isinstance(u, Article)):
        truth[unit.id] = topic = topic_of[unit_text(unit)]
        other = "economy" if topic == "sport" else "sport"
        careful = other if number % 7 == 3 and len(wrong) < flipped else topic
        if careful != topic:
            wrong.append(unit.id)
        for who, said in (("amal", careful), ("badr", careful), ("ziad", other if number % 3 == 0 else topic)):
            answers.append(Annotation(unit.id, "article", who, f"{unit.id}-{who}", choices={"topic": (said,), "stance": ("unrelated",)}))
    return TopicGold(units, write_store(folder / "news-article.jsonl", answers), truth, wrong)
