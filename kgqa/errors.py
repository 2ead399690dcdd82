"""Errors that kgqa reports to users.

Every error a user can cause (bad file, bad query, unreachable endpoint) is a
:class:`KgqaError` with a one-line message that names the file, line or endpoint;
the CLI prints the message and exits non-zero, the HTTP server maps it to a 4xx.
"""

from __future__ import annotations


class KgqaError(Exception):
    """Base class of the errors kgqa reports to users as one line."""


class ProjectError(KgqaError):
    """No project found, or a project directory that is not usable."""


class ConfigError(KgqaError):
    """An invalid value in kgqa.toml."""


class RDFSyntaxError(KgqaError):
    """An RDF file that does not parse; the message names the file and line."""


class OntologyError(KgqaError):
    """An ontology that parses but is not usable (e.g. undeclared domain)."""


class QueryError(KgqaError):
    """A SPARQL query that does not parse or cannot run."""


class QueryTimeout(QueryError):
    """A SPARQL query that ran past its time limit and was stopped."""


class GraphNotFound(QueryError):
    """A query that targets a named graph the store does not have."""


class EndpointError(KgqaError):
    """A remote SPARQL endpoint that cannot be reached or answered with an error."""


class ReadOnlyError(KgqaError):
    """An update sent to a store or server that is read-only."""
