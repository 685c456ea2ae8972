"""xlate: offline translation and publishing pipeline for cross-border library news."""

__version__ = "0.1.0"
