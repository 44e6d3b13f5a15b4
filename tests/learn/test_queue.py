"""Near-duplicates share a prediction cluster: Label Studio's uncertainty queue serves a cluster the
annotator has labelled least first, so the copies of a story do not come one after the other."""

from __future__ import annotations

import json

from curation.learn.preannotate import preannotate_trained
from curation.project import Project
from curation.studio.tasks import read_predictions
from curation.unitfile import iter_units
from curation.units import Sentence


def test_predictions_carry_the_dedup_cluster_of_their_unit_or_its_article(gold, tmp_path):
    project = Project.open(None)
    model = project.train(gold.stores, units=gold.units, output=tmp_path / "models").report.model_file
    first, second, alone = list(gold.articles)[:3]
    clusters = tmp_path / "clusters.jsonl"
    clusters.write_text(
        json.dumps({"cluster_id": "c1", "size": 2, "members": [{"id": first}, {"id": second}]}) + "\n"
        + json.dumps({"cluster_id": "c2", "size": 1, "members": [{"id": alone}]}) + "\n",
        encoding="utf-8",
    )  # fmt: skip
    for level in ("article", "sentence"):
        preannotate_trained(model, gold.units, project.schema, level, output=tmp_path / f"{level}.jsonl", state_dir=tmp_path,
                            clusters=clusters)  # fmt: skip
    articles = {p.unit_id: p.cluster for p in read_predictions(tmp_path / "article.jsonl")}
    assert articles[first] == articles[second] == 1  # the cluster's line in the file
    assert articles[alone] is None and all(cluster is None for unit, cluster in articles.items() if unit not in (first, second))
    article_of = {u.id: u.article_id for u in iter_units(gold.units, "sentence") if isinstance(u, Sentence)}
    for prediction in read_predictions(tmp_path / "sentence.jsonl"):
        assert prediction.cluster == (1 if article_of[prediction.unit_id] in (first, second) else None)
