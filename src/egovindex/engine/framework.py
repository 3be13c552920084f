"""The Framework: a validated tree of index -> components -> indicators, loaded from YAML.

A methodology (one UN Survey edition, one Vietnamese assessment method) is data: a YAML file validated into a
frozen ``Framework``. Errors name the file and the YAML path of the offending node (``index.children[1].weight``).
"""

from __future__ import annotations

import hashlib
import json
from fractions import Fraction
from functools import cached_property
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

from egovindex.engine.aggregate import AGGREGATIONS
from egovindex.engine.normalise import NORMALISATIONS

WEIGHT_TOLERANCE = 1e-9


class FrameworkError(ValueError):
    """A methodology file that does not describe a valid framework; names the file and YAML path."""


def _parse_weight(value: Any) -> float | None:
    if value is None or isinstance(value, bool):
        return None if value is None else float("nan")
    if isinstance(value, int | float):
        return float(value)
    if isinstance(value, str):
        try:
            return float(Fraction(value.replace(" ", "")))
        except (ValueError, ZeroDivisionError):
            raise ValueError(f"weight {value!r} is not a number or a fraction such as '2/9'") from None
    raise ValueError(f"weight {value!r} is not a number")


Verification = Literal["verified", "data", "impl", "inferred", "unverified"]
"""How a part of a method is known: ``verified`` quoted from an official or secondary source; ``data`` shown by
published numbers; ``impl`` read from the documented implementation of the body that computes the index;
``inferred`` reasoned from the sources; ``unverified`` not confirmed."""


class Node(BaseModel):
    """One node of the tree. A leaf reads its value from the panel under its ``code``.

    Points-based methods: ``normalisation: threshold_points`` turns a ratio into ``max_points * min(1, ratio /
    threshold)``; ``decimals`` rounds a node's value half away from zero (as published scores are); a child with
    ``scored: false`` is computed and shown but not added into its parent; ``assumptions`` names the framework's
    assumptions that the node's value depends on.
    """

    model_config = ConfigDict(extra="forbid", frozen=True)

    code: str = Field(pattern=r"^[a-z0-9][a-z0-9_.]*$")
    name: str = ""
    name_vi: str | None = None
    unit: str | None = None
    description: str | None = None
    weight: float | None = None
    direction: Literal[1, -1] = 1
    cap: float | None = None
    floor: float | None = None
    normalisation: str = "none"
    max_points: float | None = None
    threshold: float | None = None
    decimals: int | None = Field(default=None, ge=0, le=10)
    scored: bool = True
    aggregation: str = "mean"
    missing: Literal["propagate", "renormalise"] = "propagate"
    verified: Verification | None = None
    note: str | None = None
    assumptions: tuple[str, ...] = ()
    children: tuple[Node, ...] = ()

    @field_validator("weight", mode="before")
    @classmethod
    def _weight(cls, value: Any) -> float | None:
        return _parse_weight(value)

    @field_validator("normalisation")
    @classmethod
    def _normalisation(cls, value: str) -> str:
        if value not in NORMALISATIONS:
            raise ValueError(f"unknown normalisation {value!r}; known: {', '.join(NORMALISATIONS)}")
        return value

    @field_validator("aggregation")
    @classmethod
    def _aggregation(cls, value: str) -> str:
        if value not in AGGREGATIONS:
            raise ValueError(f"unknown aggregation {value!r}; known: {', '.join(AGGREGATIONS)}")
        return value

    @model_validator(mode="after")
    def _check(self) -> Node:
        if self.weight is not None and not (self.weight > 0 and self.weight < float("inf")):
            raise ValueError(f"node {self.code!r}: weight must be a positive number, got {self.weight}")
        if self.normalisation in ("points", "threshold_points"):
            if not (self.max_points and self.max_points > 0):
                raise ValueError(
                    f"node {self.code!r}: normalisation {self.normalisation!r} needs a positive max_points"
                )
            if self.direction == -1:
                raise ValueError(f"node {self.code!r}: normalisation {self.normalisation!r} needs direction 1")
        if self.threshold is not None:
            if self.normalisation != "threshold_points":
                raise ValueError(f"node {self.code!r}: a threshold needs normalisation 'threshold_points'")
            if not 0 < self.threshold <= 1:
                raise ValueError(f"node {self.code!r}: threshold must be above 0 and at most 1, got {self.threshold}")
        if self.cap is not None and self.floor is not None and self.floor > self.cap:
            raise ValueError(f"node {self.code!r}: floor {self.floor} is above cap {self.cap}")
        self._check_children()
        return self

    def _check_children(self) -> None:
        if not self.children:
            return
        codes = [c.code for c in self.children]
        if len(set(codes)) != len(codes):
            raise ValueError(f"node {self.code!r}: duplicate child codes {codes}")
        if not any(c.scored for c in self.children):
            raise ValueError(f"node {self.code!r}: none of its children {codes} is scored")
        given = [c.weight for c in self.scored_children]
        if any(w is None for w in given) and any(w is not None for w in given):
            raise ValueError(f"node {self.code!r}: give a weight to every child of {codes} or to none")
        kept = [c.max_points for c in self.scored_children]
        if self.aggregation == "sum" and self.max_points is not None and all(m is not None for m in kept):
            total = sum(m for m in kept if m is not None)
            if abs(total - self.max_points) > WEIGHT_TOLERANCE:
                raise ValueError(
                    f"node {self.code!r}: its scored children's max_points sum to {total:g}, "
                    f"not its {self.max_points:g}"
                )
        if self.aggregation != "sum" and given[0] is not None:
            total = sum(w for w in given if w is not None)
            if abs(total - 1.0) > WEIGHT_TOLERANCE:
                raise ValueError(
                    f"node {self.code!r}: the weights of {codes} sum to {total:.12g}, not 1 "
                    f"(aggregation {self.aggregation!r})"
                )

    @property
    def is_leaf(self) -> bool:
        return not self.children

    @property
    def scored_children(self) -> tuple[Node, ...]:
        """The children that are added into this node (those with ``scored: false`` are shown only)."""
        return tuple(c for c in self.children if c.scored)

    def child_weights(self) -> list[float]:
        """Weights of the scored children; when none are given, equal weights for a mean and 1 for a sum."""
        kids = self.scored_children
        if not kids:
            return []
        if kids[0].weight is None:
            return [1.0 if self.aggregation == "sum" else 1.0 / len(kids)] * len(kids)
        return [float(c.weight or 0.0) for c in kids]


class Band(BaseModel):
    """A group or rating class: every entity whose index value is at least ``min`` (and below the next band)."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    code: str
    name: str
    name_vi: str | None = None
    min: float
    verified: Verification | None = None


class Framework(BaseModel):
    """A methodology: identity, the indicator tree and the bands that classify the index.

    ``scale``: ``index`` when values are indices (0 to 1, points over maximum points: a node's points are its value
    times its ``max_points``), ``points`` when they are points. ``levels``: for an assessment of agencies, each level
    the method ranks (province, ministry, ...) with the registry blocks of its units. ``assumptions``: what the
    sources leave open, by name (nodes name those their value depends on), in English and ``assumptions_vi``."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    id: str = Field(pattern=r"^[a-z0-9][a-z0-9_.-]*$")
    version: str
    name: str
    name_vi: str | None = None
    edition: int | None = None
    description: str | None = None
    sources: tuple[str, ...] = ()
    verification: dict[str, str] = Field(default_factory=dict)
    assumptions: dict[str, str] = Field(default_factory=dict)
    assumptions_vi: dict[str, str] = Field(default_factory=dict)
    scale: Literal["index", "points"] = "index"
    levels: dict[str, tuple[str, ...]] = Field(default_factory=dict)
    index: Node
    groups: tuple[Band, ...] = ()
    classes: tuple[Band, ...] = ()

    @model_validator(mode="after")
    def _unique_codes(self) -> Framework:
        codes = [n.code for n in _walk(self.index)]
        dupes = sorted({c for c in codes if codes.count(c) > 1})
        if dupes:
            raise ValueError(f"codes used by more than one node: {dupes}")
        untold = sorted(set(self.assumptions_vi) - set(self.assumptions))
        if untold:
            raise ValueError(f"assumptions_vi names assumptions not listed under 'assumptions': {untold}")
        for node in _walk(self.index):
            unknown = sorted(set(node.assumptions) - set(self.assumptions))
            if unknown:
                raise ValueError(f"node {node.code!r} names assumptions not listed under 'assumptions': {unknown}")
        return self

    def assumptions_of(self, code: str | None = None, lang: str = "en") -> dict[str, str]:
        """The assumptions that a node's value depends on (its own and its descendants'), or all of them; in
        Vietnamese (``lang="vi"``) where the method gives them so, else in English."""
        names = set(self.assumptions) if code is None else {a for n in _walk(self.node(code)) for a in n.assumptions}
        texts = {**self.assumptions, **self.assumptions_vi} if lang == "vi" else self.assumptions
        return {name: texts[name] for name in self.assumptions if name in names}

    # ----------------------------------------------------------------------------------------- navigation
    @cached_property
    def nodes(self) -> tuple[Node, ...]:
        """Every node, parents before children (pre-order)."""
        return tuple(_walk(self.index))

    @cached_property
    def codes(self) -> tuple[str, ...]:
        return tuple(n.code for n in self.nodes)

    @cached_property
    def leaves(self) -> tuple[Node, ...]:
        return tuple(n for n in self.nodes if n.is_leaf)

    @cached_property
    def ancestors(self) -> dict[str, frozenset[str]]:
        """Every node's ancestors (the root has none)."""
        out: dict[str, frozenset[str]] = {self.root: frozenset()}
        for node in self.nodes:
            for child in node.children:
                out[child.code] = out[node.code] | {node.code}
        return out

    @cached_property
    def descendants(self) -> dict[str, frozenset[str]]:
        """Every node's descendants (a leaf has none)."""
        out: dict[str, set[str]] = {c: set() for c in self.codes}
        for code, above in self.ancestors.items():
            for a in above:
                out[a].add(code)
        return {c: frozenset(d) for c, d in out.items()}

    def node(self, code: str) -> Node:
        for n in self.nodes:
            if n.code == code:
                return n
        raise KeyError(f"framework {self.id!r} has no node {code!r}")

    @property
    def root(self) -> str:
        return self.index.code

    # ----------------------------------------------------------------------------------------- variants
    def prune(self, at: list[str] | tuple[str, ...]) -> Framework:
        """The same framework with the nodes ``at`` turned into leaves read from the panel as they are.

        ``framework.prune(["osi", "tii", "hci"])`` recomputes the EGDI from published components.
        """
        self._known(at)
        plain = {"children": [], "normalisation": "none", "cap": None, "floor": None, "direction": 1}
        return self._rebuild(lambda node, data: {**data, **plain} if node.code in at else data)

    def with_weights(self, weights: dict[str, float]) -> Framework:
        """The same framework with new weights for the named nodes (siblings must still sum to 1)."""
        self._known(weights)
        return self._rebuild(
            lambda node, data: {**data, "weight": weights[node.code]} if node.code in weights else data
        )

    def drop(self, codes: list[str] | tuple[str, ...]) -> Framework:
        """The same framework without the named leaves; their siblings' weights are rescaled to sum to 1."""
        self._known(codes)

        def without(node: Node, data: dict[str, Any]) -> dict[str, Any]:
            kept = [c for c, child in zip(data["children"], node.children, strict=True) if child.code not in codes]
            if node.children and not kept:
                raise ValueError(f"dropping {list(codes)} would leave node {node.code!r} without children")
            if kept and len(kept) < len(node.children) and kept[0].get("weight") is not None:
                total = sum(float(c["weight"]) for c in kept)
                kept = [{**c, "weight": float(c["weight"]) / total} for c in kept]
            return {**data, "children": kept}

        return self._rebuild(without)

    def subtree(self, code: str) -> Framework:
        """The branch under ``code`` as a framework of its own (no groups or classes)."""
        data = self.model_dump(exclude={"index", "groups", "classes", "id"})
        branch = {**self.node(code).model_dump(), "weight": None}
        return Framework.model_validate({**data, "id": f"{self.id}.{code}", "index": branch})

    def with_missing(self, rule: str) -> Framework:
        """The same framework with every parent's missing-value rule set to ``rule``."""
        return self._rebuild(lambda node, data: {**data, "missing": rule} if data["children"] else data)

    def with_leaf_normalisation(self, method: str) -> Framework:
        """The same framework with every leaf normalised by ``method`` (a reading of the method to test)."""
        return self._rebuild(lambda node, data: data if data["children"] else {**data, "normalisation": method})

    def _known(self, codes: Any) -> None:
        unknown = set(codes) - set(self.codes)
        if unknown:
            raise KeyError(f"framework {self.id!r} has no nodes {sorted(unknown)}")

    def _rebuild(self, change: Any) -> Framework:
        """A validated copy with ``change(node, data)`` applied to every node's data, children first."""

        def rebuild(node: Node) -> dict[str, Any]:
            data = node.model_dump(exclude={"children"})
            data["children"] = [rebuild(c) for c in node.children]
            return change(node, data)

        return Framework.model_validate({**self.model_dump(exclude={"index"}), "index": rebuild(self.index)})

    @cached_property
    def _digest(self) -> str:
        text = json.dumps(self.model_dump(mode="json"), sort_keys=True, separators=(",", ":"))
        return hashlib.sha256(text.encode()).hexdigest()

    def digest(self) -> str:
        """SHA-256 of the framework's canonical JSON: two frameworks with the same digest score alike."""
        return self._digest

    # ----------------------------------------------------------------------------------------- loading
    @classmethod
    def from_yaml(cls, text: str, *, source: str = "<string>") -> Framework:
        import yaml

        loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
        try:
            data = yaml.load(text, Loader=loader)
        except yaml.YAMLError as exc:
            raise FrameworkError(f"{source}: not valid YAML: {exc}") from None
        if not isinstance(data, dict):
            raise FrameworkError(f"{source}: a methodology file must be a mapping at the top level")
        try:
            return cls.model_validate(data)
        except ValidationError as exc:
            raise FrameworkError(_describe(exc, data, source)) from None

    @classmethod
    def load(cls, path: str | Path) -> Framework:
        path = Path(path)
        return cls.from_yaml(path.read_text(encoding="utf-8"), source=str(path))


def _walk(node: Node) -> list[Node]:
    out = [node]
    for child in node.children:
        out.extend(_walk(child))
    return out


def _yaml_path(loc: tuple[Any, ...], data: Any) -> str:
    """Turn a pydantic location into a YAML path, naming each node by its code where it has one."""
    parts: list[str] = []
    cursor = data
    for item in loc:
        if isinstance(item, int):
            parts[-1] = f"{parts[-1]}[{item}]" if parts else f"[{item}]"
            cursor = cursor[item] if isinstance(cursor, list) and item < len(cursor) else None
            if isinstance(cursor, dict) and "code" in cursor:
                parts[-1] += f"({cursor['code']})"
        else:
            parts.append(str(item))
            cursor = cursor.get(item) if isinstance(cursor, dict) else None
    return ".".join(parts) or "<top>"


def _describe(exc: ValidationError, data: Any, source: str) -> str:
    lines = [f"{source}: {exc.error_count()} problem(s) in the methodology"]
    for err in exc.errors():
        loc = tuple(x for x in err["loc"] if not (isinstance(x, str) and x.startswith("function-")))
        msg = err["msg"].removeprefix("Value error, ")
        lines.append(f"  at {_yaml_path(loc, data)}: {msg}")
    return "\n".join(lines)
