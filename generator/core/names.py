"""Which file names are editor and tool noise, shared by the loader and the watcher."""

from __future__ import annotations

_NOISE_NAMES = frozenset({"4913"})  # vim writes and deletes it to probe a folder
_NOISE_PREFIXES = (".", "~$")  # dotfiles (.#lock, .x.md.swp, .DS_Store), MS Office locks
_NOISE_SUFFIXES = (
    ".swp",
    ".swo",
    ".swx",
    ".tmp",
    ".temp",
    ".part",
    ".partial",
    ".crdownload",
    ".bak",
    "___jb_tmp___",  # JetBrains "safe write"
    "___jb_old___",
)


def is_ignored_name(name: str) -> bool:
    """True for a file or folder name that editors, tools and downloads leave behind: the
    names above, backups (`x.md~`) and emacs autosaves (`#x.md#`). Looks at the name only."""
    if name.startswith(_NOISE_PREFIXES) or name.endswith("~"):
        return True
    if len(name) > 1 and name.startswith("#") and name.endswith("#"):
        return True
    return name in _NOISE_NAMES or name.lower().endswith(_NOISE_SUFFIXES)


# Dotfiles a site may need to publish as they are (content/static/.well-known/, .nojekyll).
PUBLISHED_DOTFILES = frozenset({".well-known", ".nojekyll", ".htaccess", "_headers", "_redirects"})


def is_ignored_static_name(name: str) -> bool:
    return name not in PUBLISHED_DOTFILES and is_ignored_name(name)
