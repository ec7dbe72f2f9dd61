"""Tests of the DVR parsers."""
