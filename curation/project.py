"""``Project``: the workspace as an object, one method per ``curation`` command.

As sqlite-utils has ``Database``, curation has ``Project``: :meth:`Project.open` resolves once
where everything is (schema, inputs, units file, annotation stores, data folder, Label Studio
server and folder, recipe, annotators per task) and each method does what the command of the
same name does, returning a typed result (:mod:`curation.results`). The CLI parses options, calls
the method and prints the result; nothing about a workspace is decided in ``curation/cli``.

Where a setting comes from, first found wins: the argument, the environment variable
(``CURATION_SCHEMA``, ``CURATION_DATA_DIR``, ``LABEL_STUDIO_URL``), the workspace file
(``curation.yaml``), the built-in default. Outside a workspace a ``Project`` works on explicit
arguments with the same defaults as the functions it calls; a path it cannot guess is a
:class:`~curation.errors.UsageError`.
"""

from __future__ import annotations

import os
import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, replace
from functools import cached_property
from pathlib import Path
from typing import TYPE_CHECKING, Any

from curation.errors import CurationError, UsageError
from curation.outputs import check_outputs
from curation.results import (
    AgreeResult,
    BuildResult,
    DedupResult,
    ImportResult,
    InitResult,
    OverlapResult,
    PreannotateResult,
    PublishResult,
    PullResult,
    PushResult,
    ReportResult,
    ReviewPullResult,
    ReviewPushResult,
    SchemaResult,
    SegmentResult,
    StudioResult,
    UsersResult,
    VerifyResult,
)
from curation.studio import DEFAULT_ANNOTATIONS_DIR, DEFAULT_STUDIO_DIR
from curation.workspace import Workspace, current_workspace, init_workspace, load_workspace

if TYPE_CHECKING:  # each loads its dependencies when a method runs: `curation --help` stays light
    from curation.agreement import Adjudication
    from curation.export.recipe import Recipe
    from curation.pipeline.options import ExecutorOptions
    from curation.schema import Schema
    from curation.settings import DedupSettings, Settings
    from curation.studio.server import StudioServer

SCHEMA_ENV = "CURATION_SCHEMA"
DATA_DIR_ENV = "CURATION_DATA_DIR"
URL_ENV = "LABEL_STUDIO_URL"
DEFAULT_RECIPE = Path("exports/seed-news.yaml")
PUSHABLE_LEVELS = ("article", "sentence")

# Called with a count of documents done (build) or a step's name (report).
Progress = Callable[[Any], None]


def _from_env(name: str) -> str | None:
    return os.environ.get(name) or None  # an empty variable does not count


@dataclass(frozen=True)
class Project:
    """A workspace (or, with ``workspace=None``, the current folder and explicit arguments)."""

    workspace: Workspace | None
    schema_file: Path | None  # None: the bundled news schema
    studio_dir: Path
    server_url: str | None  # None: the local server of ``studio_dir``

    # --- opening ---------------------------------------------------------------------------------

    @classmethod
    def open(
        cls,
        path: str | Path | None = None,
        *,
        schema: str | Path | None = None,
        studio_dir: str | Path | None = None,
        url: str | None = None,
    ) -> Project:
        """The workspace at ``path`` (a folder or its ``curation.yaml``), else the one
        ``$CURATION_WORKSPACE`` names or the nearest above the current folder, else none.
        A broken workspace file raises :class:`~curation.workspace.WorkspaceError` (every problem, with its line)."""
        found = cls._find(path)
        schema_file = schema or _from_env(SCHEMA_ENV) or (found.schema if found else None)
        folder = studio_dir or _from_env(DATA_DIR_ENV) or (found.studio_dir if found else DEFAULT_STUDIO_DIR)
        server = url or _from_env(URL_ENV) or (found.server_url if found else None)
        return cls(found, Path(schema_file) if schema_file else None, Path(folder), server)

    @staticmethod
    def _find(path: str | Path | None) -> Workspace | None:
        if path is None:
            return current_workspace()
        given = Path(path)
        return load_workspace(given / "curation.yaml" if given.is_dir() else given)

    @classmethod
    def init(cls, folder: str | Path = ".", name: str | None = None) -> tuple[Project, InitResult]:
        """Create a workspace in ``folder`` (files already there are kept) and open it."""
        try:
            made = init_workspace(folder, name)
        except OSError as exc:
            raise CurationError(f"{exc.filename or folder}: {exc.strerror or exc}") from None
        steps = [
            f"put pages in {Path(folder) / 'pages'} and edit {Path(folder) / 'schema.yaml'}",
            "curation segment", "curation dedup", "curation report", "curation studio up",
            "curation push --level article", "curation pull", "curation agree", "curation build",
        ]  # fmt: skip
        result = InitResult(made.workspace, list(made.written), list(made.kept), steps)
        return cls.open(made.workspace), result

    # --- where things are -----------------------------------------------------------------------

    @property
    def root(self) -> Path:
        """The workspace's folder, or the current folder outside one."""
        return self.workspace.root if self.workspace else Path.cwd()

    @property
    def units_file(self) -> Path | None:
        return self.workspace.units_file if self.workspace else None

    @property
    def annotations_dir(self) -> Path:
        """Where ``pull`` and ``review pull`` keep their stores."""
        return self.workspace.annotations_dir if self.workspace else DEFAULT_ANNOTATIONS_DIR

    @property
    def dedup_dir(self) -> Path | None:
        return self.workspace.data / "dedup" if self.workspace else None

    @property
    def recipe_file(self) -> Path | None:
        return self.workspace.recipe if self.workspace else None

    @cached_property
    def schema(self) -> Schema:
        """The label schema (loaded once); :class:`~curation.schema.SchemaError` lists every problem."""
        from curation.schema import load_schema

        return load_schema(self.schema_file)

    def load_schema(self, strict: bool = False) -> Schema:
        """The schema checked as :attr:`schema` is, ``strict`` also asking what a first draft may leave out."""
        from curation.schema import load_schema

        return self.schema if not strict else load_schema(self.schema_file, strict=True)

    def schema_check(self, strict: bool = False, level: str | None = None) -> SchemaResult:
        """The schema checked (``strict``: as a finished one), with its Label Studio config for ``level``."""
        schema = self.load_schema(strict)
        try:
            config = schema.label_config(level) if level else None
        except ValueError as error:
            raise CurationError(str(error)) from None
        labels = {family.name: [label.value for label in family.labels] for family in schema.all_families}
        return SchemaResult(schema.path, schema.name, schema.version, schema.fingerprint, labels, len(schema.migrations), config)

    @staticmethod
    def schema_new(name: str, labels: Sequence[str] = (), *, corpus: str | Path | Sequence[str | Path] | None = None,
                   output: str | Path, force: bool = False) -> SchemaResult:
        """Write a first-draft schema with one entity family, from ``labels`` or the tags of one or
        more CoNLL/BIO ``corpus`` files (merged; noise tags reported, not made labels)."""
        from curation.imports.conll import survey_tags
        from curation.schema.generate import draft_schema

        corpora = [corpus] if isinstance(corpus, str | Path) else list(corpus or ())
        if bool(labels) == bool(corpora):
            raise UsageError("give exactly one of --entities and --from")
        target = Path(output)
        if target.exists() and not force:
            raise CurationError(f"{target}: exists; pass --force to replace it")
        noise: list[str] = []
        try:
            if corpora:
                survey = survey_tags(corpora)
                labels, noise = list(survey.labels), survey.problems()
            text = draft_schema(name, list(labels))
        except (OSError, UnicodeDecodeError, ValueError) as error:
            raise CurationError(str(error)) from None
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(text, encoding="utf-8")
        result = Project(None, target, DEFAULT_STUDIO_DIR, None).schema_check()
        result.problems.extend(noise)
        return result

    def store_path(self, level: str, review: bool = False) -> Path:
        """The annotation store ``pull`` (or ``review pull``) writes for ``level``."""
        kind = f"review-{level}" if review else level
        return self.annotations_dir / f"{self.schema.name}-{kind}.jsonl"

    def annotators_per_task(self, level: str) -> int | None:
        """The one overlap setting: the workspace file's ``annotators:`` in a workspace, else the
        studio folder's ``team.json`` (what ``studio overlap`` wrote); None when never set (a
        push then leaves the project's overlap as it is)."""
        if self.workspace is not None:
            return self.workspace.annotators.get(level)
        from curation.studio.overlap import annotators_per_task

        return annotators_per_task(self.studio_dir, self.schema.name)

    def server(self) -> StudioServer:
        """The Label Studio the team commands talk to (``server_url`` with its key, else the local one)."""
        from curation.studio.server import find_server

        return find_server(self.server_url, self.studio_dir)

    def _required(self, given: str | Path | None, default: Path | None, what: str) -> Path:
        if given is not None:
            return Path(given)
        if default is not None:
            return default
        raise UsageError(f"give {what}, or run inside a workspace (`curation init`)")

    def _recipe(self, recipe: str | Path | None) -> Recipe:
        from curation.export.recipe import load_recipe

        return load_recipe(recipe or self.recipe_file or DEFAULT_RECIPE)

    # --- the corpus -------------------------------------------------------------------------------

    def segment(
        self,
        inputs: Sequence[str] = (),
        *,
        output: str | Path | None = None,
        recipe: str | Path | None = None,
        ingest: Mapping[str, str | None] | None = None,
        executor: ExecutorOptions | None = None,
    ) -> SegmentResult:
        """Pages into a units file: ``inputs`` (else the recipe's, else the workspace's) with the
        recipe's settings (else the workspace recipe's), ``ingest`` options over them."""
        from curation.pipeline.run import run_segment

        inputs, target, settings = self._segment_plan(tuple(inputs), output, recipe)
        try:
            settings = replace(settings, ingest=settings.ingest.with_options(**(ingest or {})))
        except ValueError as exc:
            raise UsageError(str(exc)) from None
        check_outputs([target], inputs)
        run = run_segment(inputs, target, settings, executor)
        return SegmentResult(
            target, run, warnings=[str(w) for w in run.warnings], submitted=run.submitted,
            problems=[str(e) for e in run.errors],
        )  # fmt: skip

    def _segment_plan(self, inputs: tuple[str, ...], output: str | Path | None, recipe: str | Path | None) -> tuple[tuple[str, ...], Path, Settings]:
        from curation.settings import Settings

        settings, units = Settings(), None
        if recipe is not None:
            loaded = self._recipe(recipe)
            settings = loaded.settings
            inputs = inputs or tuple(str(loaded.resolve(entry)) for entry in loaded.inputs)
            units = loaded.resolve(loaded.units) if loaded.units else None
        elif self.workspace is not None and not inputs:
            if not self.workspace.inputs:
                raise UsageError(f"{self.workspace.file}: the workspace names no inputs; give INPUTS or add 'inputs:' to it")
            if self.recipe_file is not None:  # the workspace's build cuts units the same way
                settings = self._recipe(self.recipe_file).settings
            inputs, units = self.workspace.input_paths(), self.units_file
        if not inputs:
            raise UsageError("give INPUTS (files, folders, globs), a recipe naming them, or run inside a workspace (`curation init`)")
        target = output or units
        if target is None:
            raise UsageError("give -o/--output (a units file), or a recipe naming one under 'units:'")
        return inputs, Path(target), settings

    def dedup(
        self,
        units: str | Path | None = None,
        *,
        settings: DedupSettings | None = None,
        clusters: str | Path | None = None,
        contained: str | Path | None = None,
        repeated: str | Path | None = None,
        label_field: str = "topic",
        executor: ExecutorOptions | None = None,
    ) -> DedupResult:
        """Duplicate clusters, teasers contained in longer articles and repeated passages of the
        units file; in a workspace the three files go to ``data/dedup/``."""
        from curation.dedup.run import run_dedup

        source = self._required(units, self.units_file, "a units file")
        folder = self.dedup_dir
        outputs = {
            "clusters": clusters or (folder / "clusters.jsonl" if folder else None),
            "contained": contained or (folder / "contained.jsonl" if folder else None),
            "repeated": repeated or (folder / "repeated.jsonl" if folder else None),
        }
        written = {name: Path(path) for name, path in outputs.items() if path is not None}
        check_outputs(list(written.values()), [source])
        for path in written.values():
            path.parent.mkdir(parents=True, exist_ok=True)
        try:
            summary = run_dedup(source, settings, executor, label_field=label_field, **written)
        except CurationError:
            raise
        except ValueError as exc:  # a busy work folder, Slurm without shared storage
            raise CurationError(str(exc)) from None
        return DedupResult(source, written, summary, label_field, problems=list(summary.errors) if summary else [])

    def report(
        self,
        units: str | Path | None = None,
        *,
        annotations: Sequence[str | Path] = (),
        build: str | Path | None = None,
        output: str | Path | None = None,
        label_field: str = "topic",
        settings: DedupSettings | None = None,
        progress: Progress | None = None,
    ) -> ReportResult:
        """The self-contained right-to-left HTML page of where the corpus stands."""
        from curation.reporting import make_report

        source = self._required(units, self.units_file, "a units file")
        target = self._required(output, self.workspace.report_file if self.workspace else None, "an output file (-o)")
        stores = [Path(path) for path in annotations] or ([self.annotations_dir] if self.workspace and self.annotations_dir.is_dir() else [])
        if not source.is_file():
            raise CurationError(f"{source}: no units file; `curation segment` writes it")
        check_outputs([target], [source, *stores])
        made = make_report(source, stores, target, build_dir=self._build_dir(build), label_field=label_field,
                           settings=settings, on_step=progress)  # fmt: skip
        return ReportResult(target, made.counts, made.clusters, made.annotations, made.actions, problems=made.problems)

    def _build_dir(self, given: str | Path | None) -> Path | None:
        """The build whose manifest the report shows: as given, else the workspace recipe's output."""
        if given is not None:
            return Path(given)
        if self.recipe_file is None or not self.recipe_file.is_file():
            return None
        try:
            return self._recipe(self.recipe_file).output_dir
        except CurationError:
            return None  # `curation build` names a broken recipe; the report still shows the rest

    # --- Label Studio -----------------------------------------------------------------------------

    def studio_up(self, port: int | None = None, host: str | None = None, on_wait: Callable[[str, float], None] | None = None) -> StudioResult:
        """Start the local Label Studio of the studio folder (an already running one is reported, never doubled)."""
        from curation.studio.launch import serve

        return serve(self.studio_dir, port, host, on_wait)

    def studio_down(self) -> StudioResult:
        from curation.studio.server import server_status, stop_server

        status = server_status(self.studio_dir)
        stopped = stop_server(self.studio_dir)
        return StudioResult(self.studio_dir, status.url, status.pid, False, False, stopped=stopped)

    def status(self) -> StudioResult:
        """Whether the local server runs and answers, and each recorded project's progress per annotator."""
        from curation.studio.launch import team_progress
        from curation.studio.server import server_status

        status = server_status(self.studio_dir)
        result = StudioResult(self.studio_dir, status.url, status.pid, status.running, status.healthy, status.username)
        if status.healthy:
            result.projects = team_progress(self.server(), self.studio_dir)
        elif status.running:
            result.problems.append(f"{status.url}: starting or not answering (pid {status.pid})")
        else:
            result.problems.append(f"no Label Studio running for {status.data_dir}: `curation studio up`")
        return result

    def push(
        self,
        level: str,
        units: str | Path | None = None,
        *,
        predictions: str | Path | None = None,
        replace_predictions: bool = False,
        recreate: bool = False,
    ) -> PushResult:
        """A task for every ``level`` unit not yet pushed, the predictions sent, the overlap applied."""
        from curation.studio.push import push_units

        source = self._required(units, self.units_file, "a units file")
        if not source.is_file():
            raise CurationError(f"{source}: no units file; `curation segment` writes it")
        server = self.server()
        per_task = self.annotators_per_task(level)
        report = push_units(server.client(), server.url, source, level, self.schema, state_dir=self.studio_dir,
                            predictions_path=predictions, replace_predictions=replace_predictions, recreate=recreate,
                            annotators_per_task=per_task)  # fmt: skip
        return PushResult(level, source, report, per_task, problems=list(report.problems))

    def pushed_levels(self) -> list[str]:
        from curation.studio.projects import pushed_levels

        candidates = [level for level in PUSHABLE_LEVELS if level in self.schema.levels]
        return pushed_levels(self.server().url, self.schema, candidates, self.studio_dir)

    def pull(self, levels: Sequence[str] = (), *, output: str | Path | None = None, full: bool = False) -> PullResult:
        """Every annotation of every annotator of the ``levels`` pushed (default: all), each region checked."""
        from curation.studio.contract import StudioGateway
        from curation.studio.pull import pull_annotations

        server = self.server()
        client = server.client()
        StudioGateway(client, server.url).whoami()  # a wrong key is named before anything else
        chosen = list(levels) or self.pushed_levels()
        if not chosen:
            raise CurationError(f"no {self.schema.name} project recorded in {self.studio_dir.resolve()} for "
                                f"{server.url}: run `curation push --level LEVEL` first")  # fmt: skip
        if output is not None and len(chosen) != 1:
            raise UsageError("-o/--output needs exactly one --level")
        reports = [
            pull_annotations(client, server.url, self.schema, level, store_path=output or self.store_path(level),
                             state_dir=self.studio_dir, full=full)
            for level in chosen
        ]  # fmt: skip
        return PullResult(reports)

    def users_add(self, email: str, role: str = "annotator", password: str | None = None) -> tuple[UsersResult, str | None]:
        """Create ``email``'s account; returns the result and the password (to show once, never stored in a result)."""
        from curation.studio.accounts import add_user

        server = self.server()
        account = add_user(server.client(), server.url, self.studio_dir, email, role, password)  # type: ignore[arg-type]
        return UsersResult(server.url, changed=email, role=role), account.password

    def users_list(self) -> UsersResult:
        from curation.studio.accounts import list_users

        server = self.server()
        return UsersResult(server.url, list_users(server.client(), server.url, self.studio_dir))

    def users_remove(self, email: str) -> UsersResult:
        from curation.studio.accounts import remove_user

        server = self.server()
        remove_user(server.client(), server.url, self.studio_dir, email)
        return UsersResult(server.url, changed=email)

    def overlap(self, annotators_per_task: int, levels: Sequence[str] = ()) -> OverlapResult:
        """Set the one overlap setting (the workspace file in a workspace, else ``team.json``) for
        ``levels`` (default: every level) and apply it to the projects already pushed."""
        from curation.studio.overlap import apply_overlap, set_annotators_per_task
        from curation.studio.progress import recorded_projects

        if annotators_per_task < 1:
            raise UsageError(f"annotators per task must be at least 1, not {annotators_per_task}")
        chosen = list(levels) or [level for level in PUSHABLE_LEVELS if level in self.schema.levels]
        if self.workspace is not None:
            from curation.workspace import set_annotators

            set_annotators(self.workspace.file, {level: annotators_per_task for level in chosen})
            setting = self.workspace.file
        else:
            set_annotators_per_task(self.studio_dir, self.schema.name, annotators_per_task)
            setting = self.studio_dir / "team.json"
        server = self.server()
        client = server.client()
        changed = {
            ref.title: apply_overlap(client, server.url, ref.id, annotators_per_task)
            for ref in recorded_projects(self.studio_dir)
            if ref.schema_name == self.schema.name and ref.level in chosen
        }
        return OverlapResult(annotators_per_task, chosen, setting, changed)

    # --- agreement, gold and review -------------------------------------------------------------

    def _stores(self, annotations: Sequence[str | Path]) -> list[Path]:
        """The stores named, else the workspace's annotators' stores (not the review stores)."""
        if annotations:
            return [Path(path) for path in annotations]
        if self.workspace is None:
            raise UsageError("give an annotation store (as `curation pull` writes), or run inside a workspace (`curation init`)")
        found = sorted(path for path in self.annotations_dir.glob(f"{self.schema.name}-*.jsonl") if "-review-" not in path.name)
        if not found:
            raise CurationError(f"no annotation store in {self.annotations_dir}: `curation pull` writes them")
        return found

    def adjudicate(
        self,
        annotations: Sequence[str | Path] = (),
        *,
        policies: Sequence[str] = (),
        reviewer: str | None = None,
        reviews: str | Path | None = None,
        units: str | Path | None = None,
    ) -> tuple[Adjudication, list[str], list[str]]:
        """The adjudication of the stores, their unreadable lines, and notes worth telling."""
        from curation.agreement.gold import adjudicate_stores

        stores = self._stores(annotations)
        if reviews is None and self.workspace is not None and policies and "reviewer" in policies:
            found = [self.store_path(level, review=True) for level in PUSHABLE_LEVELS]
            reviews = next((path for path in found if path.is_file()), None)
        unit_file = Path(units) if units else (self.units_file if self.units_file and self.units_file.is_file() else None)
        return adjudicate_stores(stores, self.schema, policies, reviewer, Path(reviews) if reviews else None, unit_file)

    def agree(
        self,
        annotations: Sequence[str | Path] = (),
        *,
        policies: Sequence[str] = (),
        reviewer: str | None = None,
        reviews: str | Path | None = None,
        units: str | Path | None = None,
        output: str | Path | None = None,
        gold: str | Path | None = None,
    ) -> AgreeResult:
        """Agreement per label family, label, annotator pair and annotator on independent answers,
        and gold by adjudication; written as JSON to ``output`` (default: the workspace's
        ``data/agreement.json``, else ``agreement.json``; ``-`` for none, the caller prints it)."""
        from curation.agreement.gold import agreement_document, write_gold

        stores = self._stores(annotations)
        default = self.workspace.data / "agreement.json" if self.workspace else Path("agreement.json")
        target = None if str(output) == "-" else Path(output or default)
        check_outputs([target, gold], [*stores, reviews, self.schema_file, units])
        adjudication, unreadable, notes = self.adjudicate(stores, policies=policies, reviewer=reviewer, reviews=reviews, units=units)
        report, document = agreement_document(adjudication, self.schema, stores, unreadable)
        if target is not None:
            from curation.fileio import atomic_writer, dumps

            with atomic_writer(target) as handle:
                handle.write(dumps(document, indent=2) + "\n")
        if gold is not None:
            write_gold(adjudication, Path(gold))
        notes = notes + list(report.table.issues)
        return AgreeResult(stores, target, Path(gold) if gold else None, document, notes, report, problems=unreadable)

    def review_push(
        self,
        level: str,
        annotations: Sequence[str | Path] = (),
        *,
        units: str | Path | None = None,
        all_conflicts: bool = False,
        policies: Sequence[str] = (),
        reviewer: str | None = None,
    ) -> ReviewPushResult:
        """The units whose adjudication is in conflict, to the review project, every answer shown under its pseudonym."""
        from curation.export.pseudonyms import pseudonyms_beside
        from curation.studio.review import push_review

        source = self._required(units, self.units_file, "the units file the tasks came from (--units)")
        stores = self._stores(annotations)
        adjudication, _, _ = self.adjudicate(stores, policies=policies, reviewer=reviewer, units=source)
        names = pseudonyms_beside(stores[0], {a.annotator for a in adjudication.table.all_answers()})
        server = self.server()
        report = push_review(server.client(), server.url, adjudication, source, self.schema, level,
                             state_dir=self.studio_dir, unresolved_only=not all_conflicts, names=names)  # fmt: skip
        return ReviewPushResult(level, report, problems=list(report.problems))

    def review_pull(self, level: str, *, output: str | Path | None = None) -> ReviewPullResult:
        """The reviewer's decisions, into their own store (never counted as answers)."""
        from curation.studio.review import pull_review

        server = self.server()
        store = Path(output) if output else self.store_path(level, review=True)
        report = pull_review(server.client(), server.url, self.schema, level, store_path=store, state_dir=self.studio_dir)
        return ReviewPullResult(level, report)

    # --- pre-annotation and import ---------------------------------------------------------------

    def preannotate(
        self,
        level: str = "sentence",
        units: str | Path | None = None,
        *,
        gazetteers: Sequence[str | Path] = (),
        model: str | None = None,
        model_version: str | None = None,
        label_map: str | Path | None = None,
        output: str | Path | None = None,
        push: bool = False,
        existing_only: bool = False,
        replace: bool = False,
    ) -> PreannotateResult:
        """Predictions from gazetteers and/or a model callable for the ``level`` units, written and/or sent."""
        from curation.preannotate.run import run_preannotate

        source = self._required(units, self.units_file, "a units file")
        if not gazetteers and model is None:
            raise UsageError("give --gazetteer, --model or both")
        if output is None and not push:
            raise UsageError("nothing to do: give -o FILE, --push or both")
        check_outputs([output], [source, *gazetteers, label_map])
        server = self.server() if push else None
        names, report, problems = run_preannotate(
            source, self.schema, level, gazetteers=[Path(g) for g in gazetteers], model_spec=model,
            model_version=model_version, label_map=Path(label_map) if label_map else None,
            output=Path(output) if output else None, server=server, state_dir=self.studio_dir,
            new_tasks=not existing_only, replace=replace,
        )  # fmt: skip
        return PreannotateResult(level, names, report, problems=problems)

    def import_(
        self,
        inputs: Sequence[str | Path],
        prefix: str | Path | None = None,
        *,
        format: str | None = None,
        as_: str = "annotations",
        source: str = "import",
        label_map: str | Path | None = None,
        repair: str = "lenient",
        text_field: str = "text",
        family: str | None = None,
        split: str = "train",
        segment: bool = False,
        fields: Mapping[str, str] | None = None,
    ) -> ImportResult:
        """Annotated corpora (CoNLL/BIO, Label Studio exports, Hugging Face datasets) in, as units
        plus annotations or predictions (default prefix in a workspace: ``data/imports/NAME``); each
        sentence or text one unit as its corpus drew it, unless ``segment`` asks for the news-page segmenter;
        ``fields`` names the key or column of a pair's ``title`` and stance ``target``."""
        from curation.imports import import_corpus, read_label_map

        if not inputs:
            raise UsageError("give the files or folders to import")
        default = self.workspace.data / "imports" / Path(str(inputs[0])).stem.split(".")[0] if self.workspace else None
        target = self._required(prefix, default, "an output prefix (-o)")
        target.parent.mkdir(parents=True, exist_ok=True)
        mapping = read_label_map(label_map) if label_map else {}
        schema, drafted = self._import_schema(inputs, format, target)
        try:
            report = import_corpus(list(inputs), schema, target, format=format, as_=as_, source=source,  # type: ignore[arg-type]
                                   label_map=mapping, policy=repair, text_field=text_field, family=family,  # type: ignore[arg-type]
                                   split=split, segment=segment, fields=fields)  # fmt: skip
        except CurationError:
            raise
        except (OSError, ValueError, KeyError) as error:  # an unreadable input, a column or family that is not there
            raise CurationError(str(error).strip("'\"")) from None
        if drafted is not None:
            report.outputs["schema"] = drafted.path  # type: ignore[assignment]
        problems = (drafted.problems if drafted else []) + [str(problem) for problem in report.problems]
        return ImportResult(report, problems=problems)

    def _import_schema(self, inputs: Sequence[str | Path], format: str | None, target: Path) -> tuple[Schema, SchemaResult | None]:
        """The schema an import checks its labels with: the one chosen (``--schema``, the environment,
        the workspace's), or, when none was and every input is CoNLL, one that asks what the corpus
        has (drafted from its tags as ``schema new --from`` does, written to ``PREFIX.schema.yaml``):
        the bundled news schema would set aside every entity annotation for want of a stance."""
        from curation.imports.api import guess_format
        from curation.schema import load_schema

        conll = all(format == "conll" or (format is None and guess_format(Path(str(i))) == "conll") for i in inputs)
        readable = [i for i in inputs if Path(str(i)).is_file()]  # the import itself reports the others
        if self.schema_file is not None or not conll or not readable:
            return self.schema, None
        path = target.with_name(f"{target.name}.schema.yaml")
        name = re.sub(r"[^a-z0-9_]+", "_", target.name.lower()).strip("_") or "imported"
        drafted = Project.schema_new(name if name[0].isalpha() else f"c_{name}", corpus=readable, output=path, force=True)
        return load_schema(path), drafted

    # --- the dataset ----------------------------------------------------------------------------

    def build(
        self,
        recipe: str | Path | None = None,
        *,
        output: str | Path | None = None,
        allow_problems: bool = False,
        annotator_names: bool = False,
        ingest: Mapping[str, str | None] | None = None,
        executor: ExecutorOptions | None = None,
        progress: Progress | None = None,
    ) -> BuildResult:
        """The dataset a recipe describes (default: the workspace's, else exports/seed-news.yaml):
        Parquet + card, JSONL and CoNLL, a manifest, leakage-safe splits."""
        from curation.export.building import build

        loaded = self._recipe(recipe)
        try:
            loaded = replace(loaded, ingest=loaded.ingest.with_options(**(ingest or {})))
        except ValueError as exc:
            raise UsageError(str(exc)) from None
        try:
            report = build(loaded, Path(output) if output else None, progress, allow_problems=allow_problems,
                           annotator_names=annotator_names, executor=executor)  # fmt: skip
        except OSError as exc:  # a full disk or a read-only folder: the previous export is untouched
            where = exc.filename or output or loaded.output_dir
            raise CurationError(f"{where}: {exc.strerror or exc}; the previous export is intact") from None
        except CurationError:
            raise
        except ValueError as exc:  # settings the recipe's data cannot be built with
            raise CurationError(str(exc)) from None
        return BuildResult(report, problems=list(report.problems))

    def _export_dir(self, given: str | Path | None) -> Path:
        return self._required(given, self._recipe(None).output_dir if self.recipe_file else None, "the export folder")

    def verify(self, export_dir: str | Path | None = None, recipe: str | Path | None = None) -> VerifyResult:
        """Rebuild the export in a temporary folder and compare every file byte for byte."""
        from curation.export.verification import verify

        folder = self._export_dir(export_dir)
        try:
            verification = verify(folder, recipe)
        except FileNotFoundError as exc:
            raise CurationError(f"{exc.filename or folder}: {exc.strerror or exc}") from None
        except OSError as exc:  # not a build folder (a file, a device), unreadable
            raise CurationError(f"{exc.filename or folder}: {exc.strerror or exc}") from None
        return VerifyResult(folder, verification, verification.identical, problems=list(verification.differences))

    def publish(self, repo_id: str, export_dir: str | Path | None = None, *, private: bool = False, timeout: float = 5.0) -> PublishResult:
        """Upload the export to the Hugging Face Hub (token from HF_TOKEN or `hf auth login`)."""
        from curation.export.publishing import publish

        folder = self._export_dir(export_dir)
        return PublishResult(folder, publish(folder, repo_id, private=private, timeout=timeout))
