"""Widgets for the optimizers chapter (see _common for the rules)."""

__all__ = []
