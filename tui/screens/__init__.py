"""The screens of evcat's TUI, one concern each."""
