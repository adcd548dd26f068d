"""Shared ground: settings, problems, names and text helpers. Imports nothing else of ours."""
