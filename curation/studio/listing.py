"""Bulk reads of a project's tasks through the Data Manager API, only the fields asked for."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

from label_studio_sdk import LabelStudio
from label_studio_sdk.core.api_error import ApiError

from curation.studio.client import explained, raw_json

PAGE_SIZE = 5000


def task_filter(field: str, operator: str, kind: str, value: Any) -> dict[str, Any]:
    """One Data Manager filter item, e.g. ``task_filter("updated_at", "greater", "Datetime", ts)``."""
    return {"filter": f"filter:tasks:{field}", "operator": operator, "type": kind, "value": value}


def iter_tasks(
    client: LabelStudio,
    url: str,
    project_id: int,
    include: str,
    filters: list[dict[str, Any]] | None = None,
) -> Iterator[dict[str, Any]]:
    """Tasks of a project (only the ``include`` fields, e.g. ``"id,data"``) matching all
    ``filters``, ordered by id so that paging is stable while tasks change."""
    query = {
        "filters": {"conjunction": "and", "items": filters or []},
        "ordering": ["tasks:id"],
    }
    page = 1
    while True:
        params = {
            "project": project_id,
            "fields": "task_only",
            "include": include,
            "page": page,
            "page_size": PAGE_SIZE,
            "query": json.dumps(query),
        }
        with explained(url, f"listing tasks of project {project_id}"):
            try:
                body = raw_json(client, "api/tasks", params)
            except ApiError as exc:  # past the last page the Data Manager answers 404
                if exc.status_code == 404 and page > 1:
                    return
                raise
        tasks = (body.get("tasks") or []) if isinstance(body, dict) else []
        yield from tasks
        if len(tasks) < PAGE_SIZE:
            return
        page += 1
