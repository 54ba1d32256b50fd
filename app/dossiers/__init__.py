"""Procedure dossiers: a dossier is a case of type "dossier" (see kind.py)."""
