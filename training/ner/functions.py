"""Passed to `spacy train --code`: registers kg's embedding layer `kg.ChineseCharEmbed.v1`."""

import kg.extract.statistical  # noqa: F401
