"""Checkers for chapter ch05_optimizers (see course_lib.checks.core for the framework)."""

__all__ = []
