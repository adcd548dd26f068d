"""The stages of a build, one module each, and the one-off build that runs them in order."""
