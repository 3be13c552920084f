"""20 concurrent submitters and approvers on one period: no lost update, and the audit chain verifies."""

import itertools
import threading
from collections import Counter

from sqlalchemy import select

from egovindex.collection import audit, workflow
from egovindex.collection.access import get_user
from egovindex.collection.accounts import add_user
from egovindex.collection.intake import Row
from egovindex.domain.periods import Period
from egovindex.store.collection import Submission
from egovindex.store.db import unit_of_work

Q4 = Period.parse("2026Q4")
WORKERS = 10  # submitters, and as many approvers: 20 threads


def _rows(k: int) -> list[Row]:
    return [
        Row("mobile_subs_per100", 140.0 + k / 10, f"VNNIC #{k}"),
        Row("mobile_broadband_per100", 95.0, "VNNIC"),
        Row("fixed_broadband_per100", 24.8, "VNNIC"),
    ]


def test_concurrent_submit_and_approve(engine) -> None:  # type: ignore[no-untyped-def]
    with unit_of_work(engine) as s:
        for k in range(WORKERS):
            add_user(s, actor="setup", username=f"sub{k}", agency="BKHCN", role="submitter")
            add_user(s, actor="setup", username=f"app{k}", agency="BKHCN", role="approver")
        before = audit.verify(s).entries
    outcomes: Counter[str] = Counter()
    approved: list[int] = []
    lock = threading.Lock()
    start = threading.Barrier(2 * WORKERS)

    def submitter(k: int) -> None:
        start.wait()
        try:
            with unit_of_work(engine) as s:
                workflow.submit(
                    s,
                    user=get_user(s, f"sub{k}"),
                    agency="BKHCN",
                    period=Q4,
                    rows=_rows(k),
                    channel="json",
                    name=f"worker {k}",
                )
            result = "submitted"
        except workflow.ConflictError:
            result = "submit conflict"
        except workflow.WorkflowError:
            result = "submit refused"  # the values were approved meanwhile
        with lock:
            outcomes[result] += 1

    def approver(k: int) -> None:
        start.wait()
        for _ in range(20):
            with unit_of_work(engine) as s:
                current = workflow.latest(s, "BKHCN", Q4)
                seen = (current.id, current.lock_version) if current else None
            if seen is None:
                continue
            try:
                with unit_of_work(engine) as s:
                    workflow.approve(s, user=get_user(s, f"app{k}"), submission_id=seen[0], expected_version=seen[1])
                with lock:
                    outcomes["approved"] += 1
                    approved.append(seen[0])
                return
            except workflow.ConflictError:
                with lock:
                    outcomes["approve conflict"] += 1
            except workflow.WorkflowError:
                with lock:
                    outcomes["approve refused"] += 1
        with lock:
            outcomes["approver gave up"] += 1

    threads = [threading.Thread(target=submitter, args=(k,)) for k in range(WORKERS)]
    threads += [threading.Thread(target=approver, args=(k,)) for k in range(WORKERS)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=120)
    assert not any(t.is_alive() for t in threads)
    assert outcomes["submitted"] + outcomes["submit conflict"] + outcomes["submit refused"] == WORKERS
    assert outcomes["submitted"] >= 1
    with unit_of_work(engine) as s:
        subs = list(
            s.scalars(
                select(Submission)
                .where(Submission.agency_code == "BKHCN", Submission.period == "2026Q4")
                .order_by(Submission.version)
            )
        )
        # every successful submit is one version; versions are 1..n without gaps; exactly one is current
        assert [x.version for x in subs] == list(range(1, outcomes["submitted"] + 1))
        assert sum(x.status != "superseded" for x in subs) == 1
        assert all(x.supersedes_id == prev.id for prev, x in itertools.pairwise(subs))
        # no approval was lost or doubled: each approved submission was approved once, and only the
        # approved ones that were not superseded later are still approved
        assert len(approved) == len(set(approved)) == outcomes["approved"]
        assert {x.id for x in subs if x.status == "approved"} <= set(approved)
        result = audit.verify(s)
        assert result.ok, result.problems
        # each committed submit and approval: its own entry and the snapshot of the rows it wrote
        assert result.entries == before + 2 * (outcomes["submitted"] + outcomes["approved"])
