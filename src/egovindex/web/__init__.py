"""The web application (``app.create_app``): page families in ``families``, what they share in ``site``."""
