"""The JSON API (/api/v1/): see app/api/routes.py."""
