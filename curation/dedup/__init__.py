"""Duplicates among articles, split by job as datatrove's ``dedup/`` is:

* :mod:`~curation.dedup.shingles`: word shingles of the normalised view and exact set measures;
* :mod:`~curation.dedup.minhash`: stage 1, signatures and LSH band keys, written part by part;
* :mod:`~curation.dedup.buckets`: stage 2, candidate pairs per band (and per exact key);
* :mod:`~curation.dedup.clusters`: stage 3, exact-Jaccard verification and one union-find;
* :mod:`~curation.dedup.containment`: teasers inside their articles, a relation of its own;
* :mod:`~curation.dedup.passages`, :mod:`~curation.dedup.labels`, :mod:`~curation.dedup.leakage`,
  :mod:`~curation.dedup.curate`: what users do with the result;
* :mod:`~curation.dedup.partitions`: rows spilled to disk by key range, the stages' external sort;
* :mod:`~curation.dedup.stages`: the stages, and all of them one after the other in this process;
* :mod:`~curation.dedup.items`: what is compared of a units file;
* :mod:`~curation.dedup.run` (with :mod:`~curation.dedup.steps`): ``curation dedup`` on datatrove's
  executors, its stages datatrove ``PipelineStep`` objects.

What is compared is each unit's :meth:`dedup_text`, its body or its headline and body as
``DedupSettings.compare`` says (see :mod:`curation.units`).
"""

from curation.dedup.clusters import Cluster, ClusterMember, cluster_id_of, cluster_ids
from curation.dedup.containment import Contained
from curation.dedup.curate import Curated, DroppedUnit, curate
from curation.dedup.items import DEDUP_LEVELS, dedup_items
from curation.dedup.labels import LabelConflict, annotation_labels, label_conflicts, meta_labels
from curation.dedup.leakage import Leak, check_leakage, leaking_groups
from curation.dedup.minhash import minhash_signatures
from curation.dedup.passages import (
    Occurrence,
    PassageIndex,
    RepeatedPassage,
    find_repeated_passages,
    iter_repeated_passages,
)
from curation.dedup.shingles import jaccard, text_shingles
from curation.dedup.stages import DedupResult, find_clusters, find_duplicates
from curation.settings import DedupSettings

__all__ = [
    "DEDUP_LEVELS",
    "Cluster",
    "ClusterMember",
    "Contained",
    "Curated",
    "DedupResult",
    "DedupSettings",
    "DroppedUnit",
    "LabelConflict",
    "Leak",
    "Occurrence",
    "PassageIndex",
    "RepeatedPassage",
    "annotation_labels",
    "check_leakage",
    "cluster_id_of",
    "cluster_ids",
    "curate",
    "dedup_items",
    "find_clusters",
    "find_duplicates",
    "find_repeated_passages",
    "iter_repeated_passages",
    "jaccard",
    "label_conflicts",
    "leaking_groups",
    "meta_labels",
    "minhash_signatures",
    "text_shingles",
]
