"""Bring in what users already have: CoNLL/BIO files, Label Studio JSON exports and Hugging Face
datasets become pages, units and annotations (or predictions), with every tag defect reported.

    >>> from curation.imports import import_corpus
"""

from curation.imports.api import FORMATS, import_corpus, iter_items
from curation.imports.labelmap import LabelMapError, read_label_map
from curation.imports.materialize import IMPORT_AS, ImportReport
from curation.imports.model import Answer, ImportedItem, ImportProblem
from curation.imports.tags import REPAIR_POLICIES, decode_tags, parse_tag, tag_labels

__all__ = [
    "FORMATS",
    "IMPORT_AS",
    "REPAIR_POLICIES",
    "Answer",
    "ImportProblem",
    "ImportReport",
    "ImportedItem",
    "LabelMapError",
    "decode_tags",
    "import_corpus",
    "iter_items",
    "parse_tag",
    "read_label_map",
    "tag_labels",
]
