"""Label conflicts: duplicate clusters whose members carry different labels."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Container, Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from curation.dedup.clusters import Cluster
from curation.units import Annotation, Article, Document, Unit


def meta_labels(units: Iterable[Unit], field: str = "topic", only: Container[str] | None = None) -> dict[str, tuple[str, ...]]:
    """Labels carried in document meta (ANT's ``topic``), for each document and its articles;
    with ``only``, for those units alone (the members of clusters: memory then holds the
    clusters, not the corpus). Units come grouped by document, as a units file holds them."""
    labels: dict[str, tuple[str, ...]] = {}
    document: tuple[str, tuple[str, ...]] | None = None  # the current page's id and labels
    for unit in units:
        if isinstance(unit, Document):
            document = _document_labels(unit, field)
        elif not (isinstance(unit, Article) and document is not None and unit.doc_id == document[0]):
            continue
        if document is not None and (only is None or unit.id in only):
            labels[unit.id] = document[1]
    return labels


def _document_labels(document: Document, field: str) -> tuple[str, tuple[str, ...]] | None:
    """The page's id and the labels its ``field`` holds (one value or a list); None when it holds none."""
    value = document.meta.get(field)
    if value in (None, ""):
        return None
    return document.id, tuple(value) if isinstance(value, list) else (str(value),)


def annotation_labels(annotations: Iterable[Annotation], family: str) -> dict[str, tuple[str, ...]]:
    """Every label any annotator chose in ``family`` for each unit (cancelled and deleted
    annotations excluded)."""
    chosen: dict[str, set[str]] = defaultdict(set)
    for annotation in annotations:
        if annotation.cancelled or annotation.deleted:
            continue
        chosen[annotation.unit_id].update(annotation.choices.get(family, ()))
    return {unit_id: tuple(sorted(values)) for unit_id, values in chosen.items() if values}


@dataclass(frozen=True, slots=True)
class LabelConflict:
    """A cluster whose members carry different labels."""

    cluster: Cluster
    labels: dict[str, tuple[str, ...]]  # member id -> labels

    def to_record(self) -> dict[str, Any]:
        return {
            "cluster_id": self.cluster.id,
            "reason": self.cluster.reason,
            "labels": {k: list(v) for k, v in self.labels.items()},
        }


def label_conflicts(clusters: Iterable[Cluster], labels: Mapping[str, Sequence[str]]) -> list[LabelConflict]:
    """Clusters whose labelled members do not all carry the same label set."""
    conflicts = []
    for cluster in clusters:
        found = {m.id: tuple(sorted(labels[m.id])) for m in cluster.members if m.id in labels}
        if len(set(found.values())) > 1:
            conflicts.append(LabelConflict(cluster, found))
    return conflicts
