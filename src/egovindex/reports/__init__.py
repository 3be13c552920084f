"""Quarterly and annual thematic reports for the Government Office: one context of numbers (the same ones the
dashboard shows), an executive summary written from them by explicit rules, rendered to HTML (Jinja2) and PDF
(WeasyPrint), in Vietnamese or English."""
