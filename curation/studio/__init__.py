"""The Label Studio bridge: a local server, projects from the schema, push tasks, pull annotations."""

from pathlib import Path

DEFAULT_STUDIO_DIR = Path(".curation/studio")
"""Outside a workspace: the local Label Studio's data folder, where push and pull also keep their
project records (a workspace's is ``data/studio``, see :attr:`curation.workspace.Workspace.studio_dir`)."""
DEFAULT_ANNOTATIONS_DIR = Path(".curation/annotations")
"""Outside a workspace: where ``curation pull`` keeps one annotation store per schema and level."""
