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
from curation.progress import SILENT, Progress
from curation.results import (
    AgreeResult,
    BuildResult,
    DedupResult,
    ImportResult,
    InitResult,
    IssuesResult,
    OverlapResult,
    OverviewResult,
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
    TrainResult,
    UsersResult,
    VerifyResult,
)
from curation.studio import DEFAULT_ANNOTATIONS_DIR, DEFAULT_STUDIO_DIR
from curation.workspace import Workspace, current_workspace, init_workspace, load_workspace

if TYPE_CHECKING:  # each loads its dependencies when a method runs: `curation --help` stays light
    from curation.agreement import Adjudication, AnswerTable
    from curation.export.recipe import Recipe
    from curation.learn.model import TrainedModel
    from curation.pipeline.options import ExecutorOptions
    from curation.reporting import ReportInputs
    from curation.schema import Schema
    from curation.settings import DedupSettings, Settings
    from curation.studio.selection import Selection
    from curation.studio.server import StudioServer

SCHEMA_ENV = "CURATION_SCHEMA"
DATA_DIR_ENV = "CURATION_DATA_DIR"
URL_ENV = "LABEL_STUDIO_URL"
DEFAULT_RECIPE = Path("exports/seed-news.yaml")
PUSHABLE_LEVELS = ("article", "sentence")
REPORT_FACTS = "report-facts.json"  # in the data folder: what the units file says, kept while it is unchanged
STATUS_CACHE = "status.json"  # in the data folder: `curation status`'s last answer and the inputs it came from
LATEST = "latest"  # the model `train` recorded last

# Called with the name of each step of the report as it starts.
OnStep = Callable[[str], None]


ADMIN_LOGIN_ENV = ("LABEL_STUDIO_USERNAME", "LABEL_STUDIO_PASSWORD")  # what `label-studio start` reads too


def _admin_login(server: StudioServer) -> tuple[str, str] | None:
    """The admin's e-mail and password, which switching accounts on and off needs: a local
    server's own, else LABEL_STUDIO_USERNAME and LABEL_STUDIO_PASSWORD."""
    if server.username and server.password:
        return server.username, server.password
    email, password = (os.environ.get(name) for name in ADMIN_LOGIN_ENV)
    return (email, password) if email and password else None


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
    def init(
        cls,
        folder: str | Path = ".",
        name: str | None = None,
        *,
        target: str | None = None,
        topics: Sequence[str] = (),
        entities: Sequence[str] = (),
    ) -> tuple[Project, InitResult]:
        """Create a workspace in ``folder`` (files already there are kept) and open it; the starter
        schema's stance ``target`` and its ``topics`` or ``entities`` labels as given."""
        try:
            made = init_workspace(folder, name, target=target, topics=topics, entities=entities)
        except OSError as exc:
            raise CurationError(f"{exc.filename or folder}: {exc.strerror or exc}") from None
        schema_file = Path(folder) / "schema.yaml"
        steps = [
            f"put pages in {Path(folder) / 'pages'} and edit {schema_file}"
            + ("" if target or schema_file not in made.written else " (set the stance target: labels.stance.target)"),
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
    def models_dir(self) -> Path:
        """Where ``train`` keeps its model files and ``models.jsonl`` (the workspace's ``data/models``, else ``models``)."""
        return self.workspace.data / "models" if self.workspace else Path("models")

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
        more ``corpus`` files (CoNLL/BIO, JSONL token rows, dataset folders; merged; noise tags reported, not made labels; spans at ``word``
        granularity, the corpus's own, unless a ``# text =`` line may put tokens inside words)."""
        from curation.imports.api import survey_corpora
        from curation.schema.generate import draft_schema

        corpora = [corpus] if isinstance(corpus, str | Path) else list(corpus or ())
        if bool(labels) == bool(corpora):
            raise UsageError("give exactly one of --entities and --from")
        target = Path(output)
        if target.exists() and not force:
            raise CurationError(f"{target}: exists; pass --force to replace it")
        noise: list[str] = []
        granularity = "symbol"
        try:
            if corpora:
                survey = survey_corpora(corpora)
                labels, noise, granularity = list(survey.labels), survey.problems(), survey.granularity
                if not labels:
                    raise ValueError("; ".join([f"{', '.join(map(str, corpora))}: no entity label in the tags (an empty "
                                                "file, or only O and noise tags): no schema written", *noise]))
            text = draft_schema(name, list(labels), granularity=granularity)
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
        progress: Progress = SILENT,
    ) -> SegmentResult:
        """Pages into a units file: ``inputs`` (else the recipe's, else the workspace's) with the
        recipe's settings (else the workspace recipe's), ``ingest`` options over them; ``progress``
        hears the pages done on every worker."""
        from curation.pipeline.run import run_segment

        inputs, target, settings = self._segment_plan(tuple(inputs), output, recipe)
        try:
            settings = replace(settings, ingest=settings.ingest.with_options(**(ingest or {})))
        except ValueError as exc:
            raise UsageError(str(exc)) from None
        check_outputs([target], inputs)
        run = run_segment(inputs, target, settings, executor, progress)
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
        progress: Progress = SILENT,
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
            summary = run_dedup(source, settings, executor, label_field=label_field, progress=progress, **written)
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
        dedup: str | Path | None = None,
        output: str | Path | None = None,
        label_field: str = "topic",
        model: str | Path | None = None,
        progress: OnStep | None = None,
    ) -> ReportResult:
        """The self-contained right-to-left HTML page of where the corpus stands; with a trained
        ``model`` (default: the workspace's latest, if any) each annotator's quality beside the agreement."""
        from functools import partial

        from curation.reporting import make_report, remember

        inputs = self._report_inputs(units, annotations, build, dedup)
        target = self._required(output, self.workspace.report_file if self.workspace else None, "an output file (-o)")
        check_outputs([target], [inputs.units, *inputs.stores])
        schema, trained, unweighed = self._schema_or_none(), None, []
        try:
            trained = self._trained_model(model)
        except CurationError as error:  # the page is still made, without the annotators' quality
            unweighed = [f"annotator quality not shown: {error}"]
        weigh = None
        if trained is not None:
            from curation.learn.issues import weigh_annotators

            weigh = partial(weigh_annotators, trained, schema)
        made = make_report(inputs, target, label_field=label_field, schema=schema, weigh=weigh, on_step=progress,
                           corpus=self.workspace.name if self.workspace else None)  # fmt: skip
        made.problems.extend(unweighed)
        workspace_inputs = units is None and not annotations and build is None and dedup is None
        if self.workspace is not None and made.stats is not None and workspace_inputs:
            remember(inputs, self.workspace.data / STATUS_CACHE, made.stats, made.problems)  # `curation status` answers at once
        return ReportResult(target, made.counts, made.clusters, made.annotations, made.actions, problems=made.problems)

    def _report_inputs(self, units: str | Path | None, annotations: Sequence[str | Path], build: str | Path | None,
                       dedup: str | Path | None) -> ReportInputs:  # fmt: skip
        """What the report and ``status`` read: as given, else the workspace's files."""
        from curation.reporting import ReportInputs

        source = self._required(units, self.units_file, "a units file")
        if not source.is_file():
            raise CurationError(f"{source}: no units file; `curation segment` writes it")
        stores = [Path(path) for path in annotations] or ([self.annotations_dir] if self.workspace and self.annotations_dir.is_dir() else [])
        schema = self._schema_or_none()
        return ReportInputs(source, tuple(stores), Path(dedup) if dedup else self.dedup_dir, self._build_dir(build),
                            self.studio_dir if self.workspace else None, schema.name if schema else None,
                            self.workspace.data / REPORT_FACTS if self.workspace else None, self._config_files())  # fmt: skip

    def _config_files(self) -> tuple[Path, ...]:
        """The workspace file, its schema and recipe: where everything else is found."""
        found = [self.workspace.file] if self.workspace else []
        return tuple(found + [path for path in (self.schema_file, self.recipe_file) if path is not None])

    def _schema_or_none(self) -> Schema | None:
        """The workspace's schema for names on the page; a broken one is `curation schema check`'s to tell."""
        try:
            return self.schema
        except CurationError:
            return None

    def overview(self, *, fresh: bool = False) -> OverviewResult:
        """What ``curation status`` prints: what to act on first and the progress, from the same
        inputs as the report; kept in ``data/status.json`` and reused while no input changed."""
        from curation.reporting import overview

        if self.workspace is None:
            raise UsageError("run inside a workspace (`curation init`)")
        return overview(lambda: self._report_inputs(None, (), None, None), self.workspace.data / STATUS_CACHE, fresh=fresh)

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
        from curation.studio.lan import team_urls
        from curation.studio.launch import serve

        result = serve(self.studio_dir, port, host, on_wait)
        result.team_urls = team_urls(result.url) if result.url else []
        return result

    def studio_login(self) -> tuple[StudioResult, str]:
        """Where the local server's admin logs in: the result (URL, user, credentials file) and the
        password, to show once on the terminal (never in a result, so never in ``--json``)."""
        from curation.studio.server import CREDENTIALS_FILE, local_server

        server = local_server(self.studio_dir)
        result = StudioResult(self.studio_dir, server.url, server.pid, True, True, server.username,
                              credentials=self.studio_dir / CREDENTIALS_FILE)  # fmt: skip
        return result, server.password or ""

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
            server = self.server()
            result.projects = team_progress(server, self.studio_dir)
            result.warnings = self._unvetted(server)
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
        selection: Selection | None = None,
        progress: Progress = SILENT,
    ) -> PushResult:
        """A task for every ``level`` unit ``selection`` keeps (default: body sentences, every
        article) not yet pushed, the predictions sent, the overlap applied."""
        from curation.studio.push import push_units
        from curation.studio.selection import Selection

        source = self._required(units, self.units_file, "a units file")
        if not source.is_file():
            raise CurationError(f"{source}: no units file; `curation segment` writes it")
        server = self.server()
        per_task = self.annotators_per_task(level)
        report = push_units(server.client(), server.url, source, level, self.schema, state_dir=self.studio_dir,
                            predictions_path=predictions, replace_predictions=replace_predictions, recreate=recreate,
                            annotators_per_task=per_task, selection=selection or Selection(), progress=progress)  # fmt: skip
        return PushResult(level, source, report, per_task, problems=list(report.problems))

    def pushed_levels(self) -> list[str]:
        from curation.studio.projects import pushed_levels

        candidates = [level for level in PUSHABLE_LEVELS if level in self.schema.levels]
        return pushed_levels(self.server().url, self.schema, candidates, self.studio_dir)

    def pull(
        self, levels: Sequence[str] = (), *, output: str | Path | None = None, full: bool = False, progress: Progress = SILENT
    ) -> PullResult:
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
                             state_dir=self.studio_dir, full=full, progress=progress)
            for level in chosen
        ]  # fmt: skip
        return PullResult(reports, self._unvetted(server))

    def _unvetted(self, server: StudioServer) -> list[str]:
        """Users the team commands name because they joined another way than `users add`."""
        from curation.studio.accounts import unvetted_warnings

        return unvetted_warnings(server.client(), server.url, self.studio_dir, server.username)

    def users_add(self, email: str, role: str = "annotator", password: str | None = None) -> tuple[UsersResult, str | None]:
        """Create ``email``'s account; returns the result and the password (to show once, never stored in a result)."""
        from curation.studio.accounts import add_user

        server = self.server()
        account = add_user(server.client(), server.url, self.studio_dir, email, role, password,  # type: ignore[arg-type]
                           admin=_admin_login(server))
        return UsersResult(server.url, changed=email, role=role), account.password

    def users_list(self) -> UsersResult:
        """Every user of the server, with their role and the pseudonym reports and builds name them by."""
        from curation.export.pseudonyms import PSEUDONYMS_FILE, Pseudonyms
        from curation.studio.accounts import list_users

        server = self.server()
        pseudonyms = Pseudonyms.load(self.annotations_dir / PSEUDONYMS_FILE).ids
        return UsersResult(server.url, list_users(server.client(), server.url, self.studio_dir, pseudonyms))

    def users_remove(self, email: str) -> UsersResult:
        from curation.studio.accounts import remove_user

        server = self.server()
        remove_user(server.client(), server.url, self.studio_dir, email, admin=_admin_login(server))
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
        pseudonymous: bool = False,
    ) -> tuple[Adjudication, list[str], list[str]]:
        """The adjudication of the stores, their unreadable lines, and notes worth telling;
        ``pseudonymous``: annotators named by their pseudonyms (the mapping beside the first store)."""
        from curation.agreement.gold import adjudicate_stores
        from curation.export.pseudonyms import PSEUDONYMS_FILE
        from curation.studio.store import store_files

        stores = self._stores(annotations)
        if reviews is None and self.workspace is not None and policies and "reviewer" in policies:
            found = [self.store_path(level, review=True) for level in PUSHABLE_LEVELS]
            reviews = next((path for path in found if path.is_file()), None)
        unit_file = Path(units) if units else (self.units_file if self.units_file and self.units_file.is_file() else None)
        mapping = store_files(stores[0])[0].parent / PSEUDONYMS_FILE if pseudonymous and stores else None
        return adjudicate_stores(stores, self.schema, policies, reviewer, Path(reviews) if reviews else None, unit_file, mapping)

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
        model: str | Path | None = None,
    ) -> AgreeResult:
        """Agreement per label family, label, annotator pair and annotator (each under their pseudonym)
        on independent answers, and gold by adjudication; written as JSON to ``output`` (default: the workspace's
        ``data/agreement.json``, else ``agreement.json``; ``-`` for none, the caller prints it)."""
        from curation.agreement.gold import agreement_document, write_gold

        stores = self._stores(annotations)
        default = self.workspace.data / "agreement.json" if self.workspace else Path("agreement.json")
        target = None if str(output) == "-" else Path(output or default)
        check_outputs([target, gold], [*stores, reviews, self.schema_file, units])
        adjudication, unreadable, notes = self.adjudicate(stores, policies=policies, reviewer=reviewer, reviews=reviews, units=units,
                                                          pseudonymous=True)  # fmt: skip
        report, document = agreement_document(adjudication, self.schema, stores, unreadable)
        qualities, quality_notes = self._annotator_quality(model, adjudication.table)
        if qualities:
            from dataclasses import asdict

            document["annotator_quality"] = {"method": "cleanlab CROWDLAB on the model's out-of-sample probabilities",
                                             "annotators": [asdict(quality) for quality in qualities]}  # fmt: skip
        if target is not None:
            from curation.fileio import atomic_writer, dumps

            with atomic_writer(target) as handle:
                handle.write(dumps(document, indent=2) + "\n")
        if gold is not None:
            write_gold(adjudication, Path(gold))
        notes = notes + list(report.table.issues) + quality_notes
        return AgreeResult(stores, target, Path(gold) if gold else None, document, notes, report, qualities, problems=unreadable)

    def _annotator_quality(self, model: str | Path | None, table: AnswerTable) -> tuple[list[Any], list[str]]:
        """Each annotator's quality by the ``model`` (default: the workspace's latest, if any); none without a model."""
        trained = self._trained_model(model)
        if trained is None:
            return [], []
        from curation.learn.issues import annotator_quality

        return annotator_quality(trained, table)

    def _trained_model(self, model: str | Path | None) -> TrainedModel | None:
        """The model given (a file, or ``"latest"``), else the workspace's latest when it has one."""
        from curation.learn import MODELS_FILE

        if model is None and not (self.workspace is not None and (self.models_dir / MODELS_FILE).is_file()):
            return None
        from curation.learn.model import TrainedModel
        from curation.learn.training import latest_model

        given = model if model is not None else LATEST
        return TrainedModel.load(latest_model(self.models_dir) if str(given) == LATEST else Path(given))

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

    # --- the model in the loop -------------------------------------------------------------------

    def train(
        self,
        annotations: Sequence[str | Path] = (),
        *,
        units: str | Path | None = None,
        policies: Sequence[str] = (),
        reviewer: str | None = None,
        gazetteers: Sequence[str | Path] = (),
        output: str | Path | None = None,
    ) -> TrainResult:
        """A model per label family fitted on the gold of the stores (adjudicated, the rule in the
        result), saved under a version that hashes its gold and settings, in ``output`` (default
        :attr:`models_dir`)."""
        from curation.agreement import DEFAULT_POLICY
        from curation.learn.training import train_from_gold

        source = self._units_at_hand(units)
        if not policies and self.workspace is not None and any(self.store_path(level, review=True).is_file() for level in PUSHABLE_LEVELS):
            policies = ("ground-truth", "reviewer", *DEFAULT_POLICY[1:])  # a reviewer's decision outranks the majority
        adjudication, unreadable, _ = self.adjudicate(annotations, policies=policies, reviewer=reviewer, units=source)
        gazetteer = self._gazetteer(gazetteers, unreadable) if gazetteers else None
        _, report = train_from_gold(adjudication, self.schema, source, Path(output) if output else self.models_dir, gazetteer=gazetteer)
        return TrainResult(report, problems=unreadable + report.problems)

    def issues(
        self,
        annotations: Sequence[str | Path] = (),
        *,
        model: str | Path = LATEST,
        units: str | Path | None = None,
        top: int = 20,
        review: bool = False,
        policies: Sequence[str] = (),
        reviewer: str | None = None,
    ) -> IssuesResult:
        """The ``top`` likely label errors of the model's gold (cleanlab, on its out-of-sample
        probabilities) and each annotator's quality; with ``review``, the flagged units go to the
        review project with every answer and the model's suggestion."""
        from curation.learn.issues import annotator_quality, label_issues
        from curation.learn.model import TrainedModel
        from curation.learn.training import latest_model

        source = self._units_at_hand(units)
        trained = TrainedModel.load(latest_model(self.models_dir) if str(model) == LATEST else Path(model))
        adjudication, unreadable, _ = self.adjudicate(annotations, policies=policies, reviewer=reviewer, units=source)
        found = label_issues(trained)[:top]
        qualities, notes = annotator_quality(trained, adjudication.table)
        sent = self._review_issues(found, adjudication, source, trained.version, annotations) if review else []
        problems = unreadable + [problem for report in sent for problem in report.problems]
        return IssuesResult(trained.version, found, qualities, notes, sent, problems=problems)

    def _review_issues(self, found: Sequence[Any], adjudication: Adjudication, source: Path, version: str,
                       annotations: Sequence[str | Path]) -> list[Any]:  # fmt: skip
        from curation.export.pseudonyms import pseudonyms_beside
        from curation.studio.review import push_units_for_review
        from curation.studio.tasks import Prediction

        names = pseudonyms_beside(self._stores(annotations)[0], {a.annotator for a in adjudication.table.all_answers()})
        server = self.server()
        reports = []
        for level in sorted({issue.level for issue in found}):
            suggested: dict[str, Prediction] = {}
            for issue in (issue for issue in found if issue.level == level):
                slot = suggested.setdefault(issue.unit_id, Prediction(issue.unit_id, {}, (), model_version=f"{version} suggests"))
                slot.choices[issue.family] = issue.suggested
            reports.append(push_units_for_review(server.client(), server.url, adjudication, source, self.schema, level, set(suggested),
                                                 state_dir=self.studio_dir, names=names, suggestions=list(suggested.values()),
                                                 why="label issue"))  # fmt: skip
        return reports

    def _units_at_hand(self, units: str | Path | None) -> Path:
        """The units file the tasks came from, which must exist: the model reads its texts."""
        source = self._required(units, self.units_file, "the units file the tasks came from (--units)")
        if not source.is_file():
            raise CurationError(f"{source}: no units file; `curation segment` writes it")
        return source

    def _gazetteer(self, paths: Sequence[str | Path], problems: list[str]) -> Any:
        from curation.preannotate import load_gazetteer

        family = self.schema.span_family()
        if family is None:
            raise CurationError(f"schema {self.schema.name} has no span family for a gazetteer to help")
        found: list[Any] = []
        try:
            gazetteer = load_gazetteer([Path(path) for path in paths], family.values, found, granularity=family.granularity)
        except (ValueError, OSError) as error:
            raise CurationError(str(error)) from None
        problems.extend(str(problem) for problem in found)
        return gazetteer

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
        call_timeout: float | None = None,
        time_limit: float | None = None,
        trained: str | Path | None = None,
        serve_uncertain: bool = True,
        progress: Progress = SILENT,
    ) -> PreannotateResult:
        """Predictions from gazetteers and/or a model callable for the ``level`` units, written and/or
        sent; each model call within ``call_timeout`` seconds and the whole run within ``time_limit``
        (None: the defaults, 60 s and 4 h); or (``trained``: a model file, or ``"latest"`` for the last
        ``train``) the trained model's, every version replacing its own, the project then serving the
        least sure task first."""
        from curation.preannotate.api import Limits
        from curation.preannotate.run import run_preannotate

        source = self._required(units, self.units_file, "a units file")
        if not gazetteers and model is None and trained is None:
            raise UsageError("give --gazetteer, --model, --trained or a combination")
        if trained is not None and (gazetteers or model is not None):
            raise UsageError("--trained predicts alone: pre-annotate with --gazetteer or --model in another run")
        if output is None and not push:
            raise UsageError("nothing to do: give -o FILE, --push or both")
        check_outputs([output], [source, *gazetteers, label_map])
        try:
            default = Limits()
            limits = Limits(call_timeout or default.call_s, time_limit or default.total_s)
        except ValueError as exc:
            raise UsageError(str(exc)) from None
        server = self.server() if push else None
        if trained is not None:
            return self._preannotate_trained(trained, source, level, output, server, not existing_only, serve_uncertain)
        names, report, problems = run_preannotate(
            source, self.schema, level, gazetteers=[Path(g) for g in gazetteers], model_spec=model,
            model_version=model_version, label_map=Path(label_map) if label_map else None,
            output=Path(output) if output else None, server=server, state_dir=self.studio_dir,
            new_tasks=not existing_only, replace=replace, limits=limits, progress=progress,
        )  # fmt: skip
        return PreannotateResult(level, names, report, problems=problems)

    def _preannotate_trained(
        self, trained: str | Path, source: Path, level: str, output: str | Path | None, server: StudioServer | None,
        new_tasks: bool, serve_uncertain: bool,
    ) -> PreannotateResult:  # fmt: skip
        from curation.learn.preannotate import preannotate_trained
        from curation.learn.training import latest_model

        model_file = latest_model(self.models_dir) if str(trained) == LATEST else Path(trained)
        clusters = self.dedup_dir / "clusters.jsonl" if self.dedup_dir else None
        report = preannotate_trained(model_file, source, self.schema, level, output=Path(output) if output else None, server=server,
                                     state_dir=self.studio_dir, clusters=clusters, new_tasks=new_tasks,
                                     serve_uncertain=serve_uncertain)  # fmt: skip
        return PreannotateResult(level, None, report, problems=report.problems + (report.sent.problems if report.sent else []))

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
        label_field: str = "label",
        family: str | None = None,
        split: str = "train",
        segment: bool = False,
        fields: Mapping[str, str] | None = None,
        progress: Progress = SILENT,
    ) -> ImportResult:
        """Annotated corpora (CoNLL/BIO, Label Studio exports, Hugging Face datasets) in, as units
        plus annotations or predictions; in a workspace with no ``prefix``, where ``segment``, ``push`` and
        ``build`` take them up unedited (:meth:`Workspace.import_places`: ``pages/NAME.docs.jsonl``,
        ``data/annotations/import-NAME.jsonl``, ``data/imports/NAME.units.jsonl``); each
        sentence or text one unit as its corpus drew it, unless ``segment`` asks for the news-page segmenter;
        ``fields`` names the key or column of a pair's ``title`` and stance ``target``, ``label_field``
        the column of a labelled text's label (a dataset, CSV, TSV or JSONL file)."""
        from curation.imports import import_corpus, read_label_map
        from curation.imports.materialize import output_paths, written_by_import

        if not inputs:
            raise UsageError("give the files or folders to import")
        name = Path(str(inputs[0])).stem.split(".")[0]
        target = self._required(prefix, self.workspace.imports_dir / name if self.workspace else None, "an output prefix (-o)")
        paths = None
        if self.workspace and prefix is None:
            places = self.workspace.import_places(name)
            paths = output_paths(target, as_) | {kind: path for kind, path in places.items() if kind in ("docs", as_)}  # type: ignore[arg-type]
        if paths is not None and not written_by_import(paths["docs"]):
            raise CurationError(f"{paths['docs']}: exists and was not written by `curation import`; give -o PREFIX or move it")
        target.parent.mkdir(parents=True, exist_ok=True)
        mapping = read_label_map(label_map) if label_map else {}
        schema, drafted = self._import_schema(inputs, format, target)
        try:
            report = import_corpus(list(inputs), schema, target, format=format, as_=as_, source=source,  # type: ignore[arg-type]
                                   label_map=mapping, policy=repair, text_field=text_field,  # type: ignore[arg-type]
                                   label_field=label_field, family=family, split=split, segment=segment, fields=fields,
                                   progress=progress, paths=paths)  # fmt: skip
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
        the workspace's), or, when none was and every input holds entity tags (CoNLL, token rows), one that asks what the corpus
        has (drafted from its tags as ``schema new --from`` does, written to ``PREFIX.schema.yaml``):
        the bundled news schema would set aside every entity annotation for want of a stance."""
        from curation.imports.api import guess_format
        from curation.schema import load_schema

        tagged = all((format or guess_format(Path(str(i)))) in ("conll", "hf-tokens") for i in inputs)
        readable = [i for i in inputs if Path(str(i)).is_file() or Path(str(i)).is_dir()]  # the import reports the others
        if self.schema_file is not None or not tagged or not readable:
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
        progress: Progress = SILENT,
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
