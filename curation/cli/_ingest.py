"""The options that say how pages are read, shared by `curation segment` and `curation build` (not
itself a command module): the same flags give the same :class:`~curation.ingest.IngestSettings`,
hence the same unit ids, from either command."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import click

# option name -> IngestSettings.with_options argument
_ARGUMENTS = {
    "text_field": "text_field", "encoding": "encoding", "title_field": "title", "byline_field": "byline",
    "date_field": "date", "url_field": "url",
}  # fmt: skip


def _encoding(_ctx: click.Context, _param: click.Parameter, value: str | None) -> str | None:
    from curation.fileio import DecodeProblem, check_encoding

    try:
        return check_encoding(value) if value else None
    except DecodeProblem as exc:
        raise click.BadParameter(str(exc)) from None


def ingest_options(command: Callable[..., Any]) -> Callable[..., Any]:
    """``--text-field``, ``--title-field``, ``--byline-field``, ``--date-field``, ``--url-field``, ``--encoding``."""
    fields = "; comma-separated names: the first present wins; '' for none"
    options = [
        click.option("--text-field", help="JSONL field holding the page text [default: the recipe's, else 'text']."),
        click.option("--title-field", help=f"JSONL field(s) holding the title{fields} [default: the recipe's, else title,headline]."),
        click.option("--byline-field", help=f"JSONL field(s) holding the writer{fields} [default: the recipe's, else byline,author,authors]."),
        click.option("--date-field", help=f"JSONL field(s) holding the date{fields} [default: the recipe's, else date,date_publish,published,published_at]."),
        click.option("--url-field", help=f"JSONL field(s) holding the page's URL{fields} [default: the recipe's, else url,link]."),
        click.option("--encoding", callback=_encoding, help="Encoding of .txt and .jsonl pages that are not UTF-8 (e.g. cp1256, utf-16) [default: the recipe's, else UTF-8]."),
    ]  # fmt: skip
    for option in reversed(options):
        command = option(command)
    return command


def pop_ingest_args(kwargs: dict[str, Any]) -> dict[str, str | None]:
    """The ingest options of a command's keyword arguments, taken out of them, named as
    :meth:`~curation.ingest.IngestSettings.with_options` takes them."""
    return {argument: kwargs.pop(option) for option, argument in _ARGUMENTS.items()}
