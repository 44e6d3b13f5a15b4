"""Shared texts and the two seed pages run through the real segmenter."""

from __future__ import annotations

from pathlib import Path

import pytest

from curation.ingest import read_documents
from curation.segment.pipeline import segment_document
from curation.units import Unit

SEEDS = Path(__file__).resolve().parents[2] / "seeds"
ANT = Path(__file__).resolve().parents[3] / "shared" / "corpora" / "ant-v2.1.jsonl.gz"  # shared/ beside the repo

STORY = (
    "أعلنت وزارة الصحة في القاهرة اليوم عن افتتاح مستشفى جديد لعلاج الأطفال في محافظة الجيزة "
    "بتكلفة بلغت مئة مليون جنيه ويضم المستشفى ثلاثمئة سرير وغرف عمليات مجهزة بأحدث الأجهزة "
    "الطبية وقال الوزير إن المشروع يأتي ضمن خطة الحكومة لتطوير الخدمات الصحية في البلاد "
    "وأضاف أن العمل جار على إنشاء مستشفيات أخرى في محافظات الصعيد خلال العام المقبل"
)
OTHER_STORY = (
    "فاز المنتخب المغربي على نظيره التونسي بهدفين مقابل هدف في المباراة الودية التي أقيمت "
    "مساء أمس على ملعب الرباط وسجل الأهداف لاعبو خط الوسط بينما أحرز المهاجم التونسي هدف "
    "فريقه الوحيد في الشوط الثاني وأشاد المدرب بأداء اللاعبين الشبان الذين شاركوا للمرة الأولى"
)


@pytest.fixture(scope="session")
def seed_units() -> list[Unit]:
    errors: list = []
    units: list[Unit] = []
    for document in read_documents([SEEDS], errors):
        segmented = segment_document(document)
        units.append(document)
        for article in segmented.articles:
            units.append(article)
            units.extend(s for s in segmented.sentences if s.article_id == article.id)
    assert not errors
    return units
