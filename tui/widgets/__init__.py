"""Widgets of evcat's TUI, reusable across screens."""
