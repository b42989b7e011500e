"""12345 hotline work orders in and out, and Open311 GeoReport v2 (the open standard for the same)."""
