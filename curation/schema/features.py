"""``datasets`` features for the label columns of one level of a schema.

Label ids follow declaration order in the YAML, so appending a label keeps earlier ids; a
rename or merge changes them and therefore needs a new schema version.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from datasets import ClassLabel, List, Value

from curation.schema.model import ENTITIES_FEATURE, NER_TAGS_FEATURE

if TYPE_CHECKING:
    from datasets.features.features import FeatureType

    from curation.schema.model import Schema


def label_features(schema: Schema, level: str) -> dict[str, FeatureType]:
    """One column per choice family (``ClassLabel``, or a list of them when several values may
    be chosen); for the span family ``entities`` (code-point offsets into the unit text, label,
    covered text) and token-level ``ner_tags`` over :meth:`Schema.bio_names`."""
    features: dict[str, FeatureType] = {}
    for family in schema.families(level):
        if family.kind == "choice":
            class_label = ClassLabel(names=family.values)
            features[family.name] = List(class_label) if family.multiple else class_label
        else:
            features[ENTITIES_FEATURE] = List(
                {
                    "start": Value("int32"),
                    "end": Value("int32"),
                    "label": ClassLabel(names=family.values),
                    "text": Value("string"),
                }
            )
            features[NER_TAGS_FEATURE] = List(ClassLabel(names=schema.bio_names()))
    return features
