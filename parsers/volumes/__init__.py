"""Volume system readers."""
