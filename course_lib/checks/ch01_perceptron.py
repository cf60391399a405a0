"""Checkers for chapter ch01_perceptron (see course_lib.checks.core for the framework)."""

__all__ = []
