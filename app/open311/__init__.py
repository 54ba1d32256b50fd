"""Open311 GeoReport v2 over the portal's field reports, at /open311/v2/ (no language in the
path, like /api/v1/): discovery, services, a service's definition, requests (GET and POST) and
one request, each as .xml (the spec's required format) and .json. A report posted here is the
same case as one made on the page. API keys: app/open311/keys.py."""
