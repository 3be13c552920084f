"""Loading the registry into the store: a versioned copy of the files and the current agencies."""

from __future__ import annotations

import json

from sqlalchemy import select
from sqlalchemy.orm import Session

from egovindex import registry
from egovindex.collection import audit
from egovindex.store.collection import AgencyRecord, RegistryVersion


def ensure_registry(session: Session, *, actor: str = "system") -> tuple[RegistryVersion, bool]:
    """Store the packaged registry if this version is not stored yet; returns (version, whether it was added)."""
    reg = registry.load()
    found = session.scalars(select(RegistryVersion).where(RegistryVersion.digest == reg.digest)).first()
    if found is not None:
        return found, False
    version = RegistryVersion(digest=reg.digest, content=json.dumps(reg.model_dump(mode="json"), ensure_ascii=False))
    session.add(version)
    known = {a.code: a for a in session.scalars(select(AgencyRecord))}
    for a in reg.agencies:
        row = known.get(a.code) or AgencyRecord(code=a.code)
        row.name, row.name_vi, row.block = a.name, a.name_vi, a.block
        row.valid_from, row.valid_to, row.successors = a.valid_from, a.valid_to, ",".join(a.successors)
        session.add(row)
    session.flush()
    audit.record(
        session,
        actor=actor,
        action="registry.load",
        entity="registry",
        entity_id=reg.digest[:16],
        after={
            "agencies": len(reg.agencies),
            "indicators": len(reg.indicators),
            "targets": len(reg.targets),
            "rules": len(reg.rules),
        },
    )
    return version, True
