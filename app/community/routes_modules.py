"""Imports every module that adds routes to the `community` blueprint (one line each)."""
