"""Getting documents: files and their formats, pages fetched and watched, turned into passages and
merged into the index (update.py)."""
