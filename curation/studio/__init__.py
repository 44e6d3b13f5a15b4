"""The Label Studio bridge: a local server, projects from the schema, push tasks, pull annotations."""
