"""``score(framework, panel, time) -> Scores``: evaluate a framework tree for every entity.

``evaluate`` is the vectorised core: it takes leaf values of shape ``(..., entities, leaves)`` so that what-if
and Monte Carlo draws are scored in one call. ``Scores`` keeps every stage under a stable name, the ranks, the
groups and classes, and how the result was made (framework id, version and digest, panel digest, time).
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import numpy as np

from egovindex.engine.aggregate import aggregate
from egovindex.engine.normalise import normalise, round_half_away
from egovindex.engine.rank import classify, competition_rank

if TYPE_CHECKING:
    import pandas as pd

    from egovindex.engine.framework import Framework, Node
    from egovindex.engine.panel import Panel

STAGES = ("raw", "treated", "aggregated", "normalised")
"""Stage names: ``raw`` leaf inputs; ``treated`` after cap, floor and direction (for a parent: its aggregate
after cap and floor); ``aggregated`` a parent's weighted aggregate of its children; ``normalised`` every node's
final value."""


def _treat(node: Node, x: np.ndarray) -> np.ndarray:
    if node.cap is not None or node.floor is not None:
        x = np.clip(x, node.floor, node.cap)
    return -x if node.direction == -1 else x


def evaluate(framework: Framework, leaf_values: np.ndarray) -> dict[str, np.ndarray]:
    """Every stage for every node: arrays of shape ``(..., entities, nodes)`` in ``framework.codes`` order."""
    x = np.asarray(leaf_values, dtype=float)
    codes = framework.codes
    col = {c: j for j, c in enumerate(codes)}
    shape = (*x.shape[:-1], len(codes))
    stages = {name: np.full(shape, np.nan) for name in STAGES}
    leaf_col = {leaf.code: j for j, leaf in enumerate(framework.leaves)}

    for node in reversed(framework.nodes):  # children before parents
        j = col[node.code]
        if node.is_leaf:
            raw = x[..., leaf_col[node.code]]
            stages["raw"][..., j] = raw
            treated = _treat(node, raw)
        else:
            kids = np.stack([stages["normalised"][..., col[c.code]] for c in node.scored_children], axis=-1)
            agg = aggregate(node.aggregation, kids, np.array(node.child_weights()), node.missing)
            stages["aggregated"][..., j] = agg
            treated = _treat(node, agg)
        stages["treated"][..., j] = treated
        params = {"max_points": node.max_points} if node.max_points else {}
        if node.threshold is not None:
            params["threshold"] = node.threshold
        final = normalise(node.normalisation, treated, **params)
        stages["normalised"][..., j] = final if node.decimals is None else round_half_away(final, node.decimals)
    return stages


@dataclass(frozen=True, eq=False)
class Scores:
    """The result of scoring: every node's value for every entity, ranks, bands, and provenance."""

    framework_id: str
    framework_version: str
    framework_digest: str
    panel_digest: str
    time: str
    root: str
    entities: tuple[str, ...]
    nodes: tuple[str, ...]
    stages: dict[str, np.ndarray]
    rank: np.ndarray
    group: tuple[str | None, ...]
    klass: tuple[str | None, ...]

    def value(self, node: str | None = None) -> np.ndarray:
        """Final values of one node (the index itself by default), in ``entities`` order."""
        return self.stage("normalised", node or self.root)

    def stage(self, name: str, node: str | None = None) -> np.ndarray:
        """A stage's array ``(entities, nodes)``, or one node's column when ``node`` is given."""
        if name not in self.stages:
            raise KeyError(f"unknown stage {name!r}; stages: {', '.join(STAGES)}")
        arr = self.stages[name]
        return arr if node is None else arr[:, self.nodes.index(node)]

    def position(self, entity: str) -> int:
        try:
            return self.entities.index(entity)
        except ValueError:
            raise KeyError(f"entity {entity!r} was not scored") from None

    def region_rank(self, members: Iterable[str]) -> np.ndarray:
        """Competition ranks within a set of entities (NaN for entities outside it)."""
        inside = np.isin(np.array(self.entities, dtype=object), list(members))
        values = np.where(inside, self.value(), np.nan)
        return competition_rank(values)

    def to_records(self, nodes: Sequence[str] | None = None) -> list[dict[str, Any]]:
        """One dict per entity: entity, every node's value, rank, group and class."""
        nodes = list(nodes or self.nodes)
        cols = [self.nodes.index(n) for n in nodes]
        final = self.stages["normalised"]
        out = []
        for i, entity in enumerate(self.entities):
            rec: dict[str, Any] = {"entity": entity}
            for n, j in zip(nodes, cols, strict=True):
                v = final[i, j]
                rec[n] = None if np.isnan(v) else float(v)
            rec["rank"] = None if np.isnan(self.rank[i]) else int(self.rank[i])
            rec["group"] = self.group[i]
            rec["class"] = self.klass[i]
            out.append(rec)
        return out

    def to_frame(self) -> pd.DataFrame:
        import pandas as pd

        return pd.DataFrame(self.to_records()).set_index("entity")

    def provenance(self) -> dict[str, str]:
        return {
            "framework_id": self.framework_id,
            "framework_version": self.framework_version,
            "framework_digest": self.framework_digest,
            "panel_digest": self.panel_digest,
            "time": self.time,
        }

    def __repr__(self) -> str:
        n_ranked = int(np.sum(~np.isnan(self.rank)))
        return (
            f"<Scores {self.framework_id} v{self.framework_version} time={self.time}: "
            f"{len(self.entities)} entities, {n_ranked} ranked, {len(self.nodes)} nodes>"
        )


def score(framework: Framework, panel: Panel, time: str | int, *, entities: Sequence[str] | None = None) -> Scores:
    """Score every entity of ``panel`` in ``time`` with ``framework``."""
    ents, x = panel.matrix(time, [leaf.code for leaf in framework.leaves], entities)
    return score_matrix(framework, ents, x, time)


def score_matrix(framework: Framework, entities: Sequence[str], leaf_values: np.ndarray, time: str | int) -> Scores:
    """Score an (entities x leaves) array whose columns follow ``framework.leaves``.

    The panel digest is taken over exactly what was scored: time, entities, leaf codes and values.
    """
    x = np.asarray(leaf_values, dtype=float)
    stages = evaluate(framework, x)
    root = stages["normalised"][:, 0]
    text = "\t".join([str(time), *entities, "|", *(leaf.code for leaf in framework.leaves)])
    digest = hashlib.sha256(text.encode())
    digest.update(np.ascontiguousarray(x, dtype="<f8").tobytes())
    return Scores(
        framework_id=framework.id,
        framework_version=framework.version,
        framework_digest=framework.digest(),
        panel_digest=digest.hexdigest(),
        time=str(time),
        root=framework.root,
        entities=tuple(entities),
        nodes=framework.codes,
        stages=stages,
        rank=competition_rank(root),
        group=_bands(framework.groups, root),
        klass=_bands(framework.classes, root),
    )


def _bands(bands: Sequence[Any], values: np.ndarray) -> tuple[str | None, ...]:
    if not bands:
        return (None,) * len(values)
    return tuple(classify(values, [b.min for b in bands], [b.code for b in bands]))
