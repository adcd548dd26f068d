"""`journal import`: posts of a Jekyll, Hugo or Pelican blog made posts of a journal.

One module per source generator (jekyll.py, hugo.py, pelican.py) finds its posts and
knows its old URLs; front_matter.py, dates.py and fields.py read their settings; liquid.py,
shortcodes.py and pelican.py convert their bodies; assemble.py plans what is written and
report.py says what is left. commands/import_blog.py writes it.
"""

KINDS = ("hugo", "jekyll", "pelican")  # the blogs `journal import` reads (commands/import_blog.py)
