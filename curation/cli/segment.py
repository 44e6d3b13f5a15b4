"""`curation segment`: pages in, units JSONL out."""

from __future__ import annotations

import sys
from collections import Counter
from collections.abc import Iterator
from typing import Any

import click
from rich.table import Table

from curation.cli._common import console, print_errors, progress
from curation.ingest import IngestError, read_documents
from curation.segment.pipeline import SegmenterSettings, segment_documents
from curation.unitfile import write_unit_records


@click.command("segment")
@click.argument("inputs", nargs=-1, required=True)
@click.option("-o", "--output", required=True, type=click.Path(dir_okay=False), help="Units JSONL to write.")
@click.option("--text-field", default="text", show_default=True, help="Field holding the page text in JSONL inputs.")
def segment_command(inputs: tuple[str, ...], output: str, text_field: str) -> None:
    """Split pages (.txt files, .jsonl[.gz] records, folders, globs) into document, article and
    sentence units with exact character offsets."""
    errors: list[IngestError] = []
    counts: Counter[str] = Counter()
    settings = SegmenterSettings()

    def records() -> Iterator[dict[str, Any]]:
        with progress() as bar:
            task = bar.add_task("segmenting", total=None)
            for segmented in segment_documents(read_documents(inputs, errors, text_field=text_field), settings):
                counts["documents"] += 1
                counts["sentences"] += len(segmented.sentences)
                for article in segmented.articles:
                    counts[f"articles ({article.role})"] += 1
                yield from segmented.records()
                bar.advance(task)

    write_unit_records(output, records())
    table = Table(title=f"segmented into {output}")
    table.add_column("units")
    table.add_column("count", justify="right")
    for name in ("documents", "articles (main)", "articles (teaser)", "sentences"):
        table.add_row(name, f"{counts[name]:,}")
    table.add_row("failed inputs", f"{len(errors):,}", style="red" if errors else None)
    console.print(table)
    print_errors(errors)
    if errors:
        sys.exit(1)
