"""``python -m egovindex.collection.sdmx``: write structure.xml again from the registry."""

from egovindex.collection.sdmx import write

print(write())
