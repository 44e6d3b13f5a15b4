"""Models trained on the gold: topic and stance classifiers, an entity tagger, uncertainty and label issues."""
