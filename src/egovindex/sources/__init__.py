"""Reading published data: the UN E-Government Survey files, the raw indicator series, country lists and
regions; files checked and named by row and field (``files``)."""
