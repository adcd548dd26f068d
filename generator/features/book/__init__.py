"""A year of the journal as a book: EPUB 3 (epub.py) and PDF for print (pdf.py), made from the
same views as the site (content.py)."""
