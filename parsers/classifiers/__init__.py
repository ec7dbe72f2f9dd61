"""Content classifiers: libmagic MIME, category and mismatch, EXIF."""
