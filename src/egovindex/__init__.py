"""egovindex: reproduce, explain and improve a country's standing in the UN E-Government Development Index.

The package is light to import: heavy libraries (pandas, SQLAlchemy, openpyxl, country_converter) are imported
only by the functions that need them, so that a command such as ``egovindex egdi rank FILE`` starts quickly.
"""

__version__ = "0.1.0"
