"""Carving: files recovered from unallocated space and file slack, catalogued like any file."""
