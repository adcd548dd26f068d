"""The commands beyond build and serve: new and init, promises and stats, deploy."""
