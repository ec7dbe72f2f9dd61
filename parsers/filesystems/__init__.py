"""File system walkers: The Sleuth Kit and APFS."""
