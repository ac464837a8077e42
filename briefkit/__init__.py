"""briefkit: the engine that turns YAML briefs into a static site (independent of MkDocs)."""

__version__ = "0.1.0"
