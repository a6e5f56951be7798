"""Content stage: read YAML safely, validate it against the declared schema and load the plain-dataclass model."""
