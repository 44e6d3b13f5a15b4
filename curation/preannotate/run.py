"""``curation preannotate`` from files: load the gazetteers, the label map and the model, predict,
write and send. A problem (a bad gazetteer line, a model span outside the schema, a prediction not
sent) is collected and the rest goes on; loading a user's model that raises is one line."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from curation.errors import CurationError
from curation.progress import SILENT, Progress

if TYPE_CHECKING:
    from curation.imports.model import ImportProblem
    from curation.preannotate.api import Limits, PreannotateReport
    from curation.preannotate.gazetteer import Gazetteer
    from curation.preannotate.model import Model
    from curation.schema import Schema
    from curation.schema.model import LabelFamily
    from curation.studio.server import StudioServer


def _load(
    gazetteers: Sequence[Path], family: LabelFamily, model_spec: str | None, label_map: Path | None, problems: list[ImportProblem]
) -> tuple[dict[str, str], Gazetteer | None, Model | None]:
    from curation.imports import read_label_map
    from curation.preannotate import load_gazetteer, load_model

    mapping = read_label_map(label_map) if label_map else {}
    try:
        gazetteer = load_gazetteer(gazetteers, family.values, problems, mapping, family.granularity) if gazetteers else None
    except (ValueError, OSError) as error:
        raise CurationError(str(error)) from None
    try:
        model = load_model(model_spec) if model_spec else None
    except (ValueError, OSError) as error:
        raise CurationError(str(error)) from None
    except Exception as error:  # noqa: BLE001 - importing a user's module may raise anything
        raise CurationError(f"model {model_spec}: loading it raised {type(error).__name__}: {error}") from None
    return mapping, gazetteer, model


def run_preannotate(
    units: Path,
    schema: Schema,
    level: str,
    *,
    gazetteers: Sequence[Path] = (),
    model_spec: str | None = None,
    model_version: str | None = None,
    label_map: Path | None = None,
    output: Path | None = None,
    server: StudioServer | None = None,
    state_dir: Path,
    new_tasks: bool = True,
    replace: bool = False,
    limits: Limits | None = None,
    progress: Progress = SILENT,
) -> tuple[int | None, PreannotateReport, list[str]]:
    """The gazetteer's size (None without one), the report, and every problem met."""
    from curation.preannotate import preannotate
    from curation.preannotate.api import Limits

    family = schema.span_family(level)
    if family is None:
        raise CurationError(f"schema {schema.name} has no span family asked at the {level} level")
    loading: list[ImportProblem] = []
    mapping, gazetteer, model = _load(gazetteers, family, model_spec, label_map, loading)
    report = preannotate(
        units, schema, level, gazetteer=gazetteer, model=model, model_version=model_version or model_spec,
        label_map=mapping, output=output, client=server.client() if server else None,
        url=server.url if server else None, state_dir=state_dir, new_tasks=new_tasks, replace=replace,
        limits=limits or Limits(), progress=progress,
    )  # fmt: skip
    problems = [str(p) for p in loading] + report.problems + (report.sent.problems if report.sent else [])
    return (len(gazetteer) if gazetteer is not None else None), report, problems
