"""Widgets for the perceptron chapter (see _common for the rules)."""

__all__ = []
