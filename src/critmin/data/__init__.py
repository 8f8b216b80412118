"""The read side of the data package: loading and validation, metadata, country codes, the catalogue."""

from critmin.data.loader import READ, DataError, Tables, load, read_resource, schema_for

__all__ = ["READ", "DataError", "Tables", "load", "read_resource", "schema_for"]
