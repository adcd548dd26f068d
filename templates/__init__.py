"""The built-in theme: Jinja templates here, the stylesheet, script and icon in assets/.

pyproject.toml ships this folder as the package `generator.theme_files`, which
generator/pipeline/theme.py finds through importlib.resources. This file makes the folder a
regular package, which an editable install (`pip install -e .`) needs to find it; a build never
draws it nor publishes it.
"""
