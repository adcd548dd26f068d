"""A static site generator for theme-word journals."""

__version__ = "0.1.0"
