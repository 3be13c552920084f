"""The composite-index engine: pure, no I/O. Framework (the tree), Panel (the data), score() -> Scores."""

from egovindex.engine.framework import Band, Framework, FrameworkError, Node
from egovindex.engine.panel import Panel
from egovindex.engine.rank import classify, competition_rank
from egovindex.engine.scores import STAGES, Scores, evaluate, score, score_matrix

__all__ = [
    "STAGES",
    "Band",
    "Framework",
    "FrameworkError",
    "Node",
    "Panel",
    "Scores",
    "classify",
    "competition_rank",
    "evaluate",
    "score",
    "score_matrix",
]
