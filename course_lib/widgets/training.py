"""Widgets for the training chapter (see _common for the rules)."""

__all__ = []
