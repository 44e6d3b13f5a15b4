"""The label schema: one YAML file defines topic, entity and stance and drives the annotation
UI (Label Studio config), validation of every annotation, the dataset features and the
migration of annotations made under older versions.

    >>> schema = load_schema(default_schema_path())
    >>> [family.name for family in schema.families("article")]
    ['topic', 'stance']
"""

from curation.schema.loader import default_schema_path, load_schema
from curation.schema.model import Label, LabelFamily, MigrationProblem, MigrationStep, Schema, SchemaError

__all__ = [
    "Label",
    "LabelFamily",
    "MigrationProblem",
    "MigrationStep",
    "Schema",
    "SchemaError",
    "default_schema_path",
    "load_schema",
]
