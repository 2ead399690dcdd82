"""Ingestion pipelines: documents in, ontology-shaped RDF with provenance out."""
