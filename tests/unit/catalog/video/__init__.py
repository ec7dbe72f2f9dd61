"""Tests of the catalog side of DVR disks."""
