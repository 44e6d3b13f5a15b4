"""The annotation store writes JSON every reader accepts: a NaN or infinity (a lead time, a value
inside a record Label Studio sent) is null, never the bare ``NaN`` Python's json module emits."""

from __future__ import annotations

import json
import math
import stat
from pathlib import Path

import pytest

from curation.studio.results import SetAside
from curation.studio.store import AnnotationStore, Flagged, PullState, Rejected, store_files
from curation.units import Annotation


def _strict(text: str) -> object:
    def refuse(constant: str) -> object:
        raise AssertionError(f"bare {constant} written: not JSON")

    return json.loads(text, parse_constant=refuse)


def test_nan_and_infinity_are_written_as_null_in_every_store_file(tmp_path: Path) -> None:
    store = AnnotationStore(tmp_path / "news-sentence.jsonl")
    kept = Annotation("s1", "sentence", "mona@x", "1", {"stance": ("favor",)}, lead_time=math.nan)
    rejected = Annotation("s2", "sentence", "omar@x", "2", lead_time=math.inf)
    odd = Rejected(rejected, ("stance missing",), 2)
    aside = Flagged(kept, (SetAside({"value": {"start": math.nan, "end": math.inf}}, "offsets"),), 1)
    with store.writing():
        store.write({kept.key: kept}, {rejected.key: odd}, {kept.key: aside})
        store.write_state(PullState("http://ls", 3, None))

    for path in (store.path, store.rejects_path, store.regions_path):
        for line in path.read_text(encoding="utf-8").splitlines():
            _strict(line)
    assert store.state() == PullState("http://ls", 3, None)
    (read,) = store.annotations()
    assert read.lead_time is None and read.choices == {"stance": ("favor",)}
    assert store.rejects()[rejected.key].annotation.lead_time is None
    assert store.rejects()[rejected.key].reasons == ("stance missing",)
    (region,) = store.set_aside()[kept.key].regions
    assert region == SetAside({"value": {"start": None, "end": None}}, "offsets")


def test_every_store_file_is_readable_by_its_owner_only(tmp_path: Path) -> None:
    """Stores name annotators by e-mail: no other user of the machine may read them."""
    store = AnnotationStore(tmp_path / "news-sentence.jsonl")
    kept = Annotation("s1", "sentence", "mona@x.example", "1", {"stance": ("favor",)})
    with store.writing():
        store.write({kept.key: kept}, {kept.key: Rejected(kept, ("why",), 1)}, {kept.key: Flagged(kept, (), 1)})
        store.write_state(PullState("http://ls", 3, None))
    for path in (store.path, store.rejects_path, store.regions_path, store.state_path):
        assert stat.S_IMODE(path.stat().st_mode) == 0o600, path


@pytest.mark.parametrize("kind", ["folder", "file"])
def test_store_files_are_the_stores_without_their_sidecars(tmp_path: Path, kind: str) -> None:
    store = AnnotationStore(tmp_path / "news-article.jsonl")
    other = AnnotationStore(tmp_path / "news-sentence.jsonl")
    for each in (store, other):
        each.write({}, {}, {})
        each.write_state(PullState("http://ls", 1, None))
    if kind == "folder":
        assert store_files(tmp_path) == [store.path, other.path]
    else:
        assert store_files(store.rejects_path) == [store.rejects_path]  # a file named is read as named


def test_a_build_reads_a_store_folder_without_its_sidecars(tmp_path: Path) -> None:
    """Before: the workspace recipe's `annotations: data/annotations` read NAME.rejects.jsonl as a store:
    each rejected annotation became a 'malformed annotation record' problem and the build kept its old export."""
    from curation.export.annotations import read_stores
    from curation.export.annotations import store_files as recipe_store_files
    from curation.schema import load_schema

    store = AnnotationStore(tmp_path / "annotations" / "news-article.jsonl")
    kept = Annotation("a1", "article", "mona@x", "1", {"topic": ("politics",), "stance": ("favor",)})
    rejected = Annotation("a2", "article", "omar@x", "2", {"topic": ("not-a-topic",)})
    store.write({kept.key: kept}, {rejected.key: Rejected(rejected, ("topic",), 2)}, {})
    files = recipe_store_files(["annotations"], tmp_path)
    assert files == [("annotations/news-article.jsonl", store.path)]
    snapshot = read_stores(files, load_schema())
    assert snapshot.problems == [] and snapshot.total == 1 and snapshot.rejections.annotations == 1
