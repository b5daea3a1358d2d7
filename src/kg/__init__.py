"""kg: knowledge graphs of innovation ecosystems from Chinese news and policy articles.

Data flows one way: ingest -> normalize -> extract -> link -> rdf (store) -> query / analysis / viz / export.
"""

__version__ = "0.1.0"
