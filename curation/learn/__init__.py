"""Models trained on the gold: topic and stance classifiers, an entity tagger, uncertainty and label issues."""

# the index of the models `curation train` wrote in a folder; here, apart from training (which loads
# scikit-learn), so that asking whether a workspace has a model costs nothing
MODELS_FILE = "models.jsonl"
