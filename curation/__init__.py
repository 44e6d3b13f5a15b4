"""curation: raw Arabic news pages to annotated, published training data."""

__version__ = "0.1.0"
