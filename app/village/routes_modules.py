"""Imports every module that adds routes to the `village` blueprint (one line each)."""
