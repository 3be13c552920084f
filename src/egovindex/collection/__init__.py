"""National statistics for the UN, ITU, UNESCO and UNDP: submissions, validation, approval, releases, audit."""
