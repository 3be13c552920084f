"""The least-cost change that raises a linear score by a given amount: a linear programme solved exactly with
scipy's HiGHS. Shared by the EGDI's target seeking and the assessments' "what would raise this unit's rank".

minimise sum(cost_j * d_j) subject to sum(weight_j * d_j) >= gap and 0 <= d_j <= room_j.
"""

from __future__ import annotations

import numpy as np


class InfeasibleError(ValueError):
    """Even every change to its bound does not raise the score by the gap."""


def least_cost_change(cost: np.ndarray, weight: np.ndarray, room: np.ndarray, gap: float) -> np.ndarray:
    """The changes ``d`` (one per input, each between 0 and its ``room``) of least total ``cost`` whose weighted sum
    reaches ``gap``; zeros when ``gap`` is not positive."""
    from scipy.optimize import linprog

    cost, weight, room = (np.asarray(a, dtype=float) for a in (cost, weight, room))
    if gap <= 0:
        return np.zeros_like(weight)
    room = np.maximum(room, 0.0)
    if float(weight @ room) < gap:
        raise InfeasibleError(f"the most the changes can add is {float(weight @ room):.6g}, less than {gap:.6g}")
    solved = linprog(cost, A_ub=-weight[None, :], b_ub=[-gap], bounds=[(0.0, float(r)) for r in room], method="highs")
    if not solved.success:  # pragma: no cover - feasibility was checked above
        raise InfeasibleError(f"the linear programme failed: {solved.message}")
    return np.where(solved.x > 1e-12, solved.x, 0.0)
