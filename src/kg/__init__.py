"""kg: knowledge graphs of innovation ecosystems from Chinese news and policy articles.

Data flows one way: ingest -> normalize -> extract -> link -> rdf (store), then query,
analysis, viz and export read the store.
"""

__version__ = "0.1.0"
