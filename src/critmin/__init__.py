"""critmin: data, metrics and charts for the critical-minerals book."""

__version__ = "0.1.0"
