"""What a journal shows beyond its posts: threads and promises, insights, stats, search and
the link checker."""
