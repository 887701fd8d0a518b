"""A caller's history, read from the reports and incidents the desk already keeps."""

from __future__ import annotations

from collections import Counter
from datetime import datetime, timedelta

from sqlalchemy import and_, bindparam, case, func, or_, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from lifeline.auth import permissions
from lifeline.auth.permissions import mask_number
from lifeline.auth.service import Principal, require, under
from lifeline.callers.criteria import Criteria, Flag, FlagFacts, flag_state, meets, stopped_after
from lifeline.callers.models import CallerCase, CallerCaseStep
from lifeline.callers.scoring import CallerStats, assess
from lifeline.common import CHINA, sha256
from lifeline.errors import Conflict, Forbidden, Invalid
from lifeline.incidents.models import Incident, Report
from lifeline.store import events
from lifeline.store.engine import core
from lifeline.vocabulary import (
    NUISANCE_LANDS_IN,
    NUISANCE_STEPS,
    STEP_MEANS,
    FlagStatus,
    NuisanceState,
    NuisanceStep,
    StepMeans,
)

RECENT_INCIDENTS = 20
MONTH = timedelta(days=30)

# Built once: each call a desk takes runs them.
_CALLS = select(
    func.count(Report.id), func.coalesce(func.sum(case((Report.received_at >= bindparam("day"), 1), else_=0)), 0)
).where(Report.caller_number == bindparam("number"), Report.received_at >= bindparam("month"))
_RECENT = (
    select(Incident.id, Incident.received_at, Incident.category, Incident.disposition, Incident.state,
           Incident.confirmed_at)
    .where(Incident.caller_number == bindparam("number"))
    .order_by(Incident.id.desc())
    .limit(RECENT_INCIDENTS)
)  # fmt: skip
_CONFIRMED = (
    select(Incident.category, func.count(Incident.id))
    .where(
        Incident.caller_number == bindparam("number"),
        Incident.confirmed_at.is_not(None),
        Incident.received_at >= bindparam("month"),
    )
    .group_by(Incident.category)
)


def _stats(session: Session, number: str, now: datetime, recent: list, within) -> CallerStats:
    """Calls in the last 24 hours and 30 days, and confirmed incidents of the last 30 days by category.
    When `recent` holds all of the number's incidents they are counted from it, without another read."""
    connection = core(session)
    month = now - MONTH
    calls = _CALLS if within is None else _CALLS.join(Incident, Incident.id == Report.incident_id).where(within)
    calls_30d, calls_24h = connection.execute(
        calls, {"number": number, "day": now - timedelta(hours=24), "month": month}
    ).one()
    if within is not None or len(recent) < RECENT_INCIDENTS:
        confirmed = Counter(i.category for i in recent if i.confirmed_at is not None and i.received_at >= month)
    else:
        confirmed = dict(connection.execute(_CONFIRMED, {"number": number, "month": month}).all())
    return CallerStats(int(calls_24h), int(calls_30d), dict(confirmed))


def history(session: Session, number: str, now: datetime, within=None) -> dict:
    """What the call-taker sees beside a new call from `number`; `within` limits it to the incidents a reader may
    see (a 12345 operator sees what 12345 received, not the number's calls to 110)."""
    recent = core(session).execute(_RECENT if within is None else _RECENT.where(within), {"number": number}).all()
    stats = _stats(session, number, now, recent, within)
    verdict = assess(stats)
    # The 110 centre's case on the number, its flag and plan (not a 12345 reader's to see).
    standing_now = standing(session, number, now) if within is None else None
    flagged, reasons = verdict.flagged, list(verdict.reasons)
    if standing_now and standing_now["flagged"]:
        flagged = True
        review = standing_now["next_review"]
        when = f"，{review.astimezone(CHINA):%Y-%m-%d} 复核" if review else ""
        reasons.append(f"值班长已标记为骚扰来电{when}：仍须正常研判、派警，不得挂断或降级")
    return {
        "number": number,
        "calls_24h": stats.calls_24h,
        "calls_30d": stats.calls_30d,
        "repeat": verdict.repeat,
        "nuisance_score": verdict.nuisance_score,
        "flagged": flagged,
        "reasons": reasons,
        # The case, its flag and plan: shown at pickup; the call is taken and triaged like any other.
        "case": standing_now,
        "incidents": [
            {
                "id": i.id,
                "received_at": i.received_at,
                "category": i.category,
                "disposition": i.disposition,
                "state": i.state,
                "confirmed": i.confirmed_at is not None,
            }
            for i in recent
        ],
    }


# Nuisance callers: the supervisors' queue, a case per number, the flag, the figures ---------------------------

QUEUE_LIMIT = 100
EVIDENCE_SHOWN = 10  # the latest false calls shown in the queue; the case shows them all within the criteria's span


def _governs(session: Session, actor: Principal, action: str) -> None:
    """Nuisance-caller governance belongs to the 110 centre's supervisors (and admins)."""
    require(actor, action)
    if not permissions.sees_all(actor.role) and not under(session, actor.org_id, "centre_110"):
        raise Forbidden("只有 110 指挥中心可处理骚扰来电 / only the 110 centre governs nuisance callers")


def _read(actor: Principal, numbers: list[str], incident_id: int | None = None) -> list[events.Entry]:
    """Each number a supervisor saw in full, recorded as a history read (incidents.service.caller_reads lists them)."""
    return [
        events.Entry(
            "caller.history_read",
            {"role": actor.role, "number": mask_number(n), "number_sha256": sha256(n)},
            actor.username,
            incident_id,
        )
        for n in numbers
    ]


def _false(criteria: Criteria):
    """The SQL condition of a false call (criteria.is_false), on confirmed incidents only."""
    kinds = []
    if criteria.categories:
        kinds.append(Incident.category.in_(sorted(criteria.categories)))
    if criteria.outcomes:
        kinds.append(Incident.outcome.in_(sorted(criteria.outcomes)))
    return and_(Incident.confirmed_at.is_not(None), or_(*kinds))


def false_calls(session: Session, numbers: list[str], since: datetime, now: datetime, criteria: Criteria) -> dict:
    """Number → its false calls from `since` to `now`, newest first, with the evidence a supervisor reviews: when,
    what was said, the category and outcome, and the report's reference (a recording or another system's id)."""
    if not numbers:
        return {}
    rows = session.execute(
        select(Incident.id, Incident.caller_number, Incident.received_at, Incident.category, Incident.outcome,
               Incident.disposition, Incident.summary)
        .where(Incident.caller_number.in_(numbers), Incident.received_at >= since, Incident.received_at <= now,
               _false(criteria))
        .order_by(Incident.received_at.desc(), Incident.id.desc())
    ).all()  # fmt: skip
    words = {}
    if rows:
        first = (
            select(Report.origin_incident_id, Report.text, Report.external_ref, Report.channel)
            .where(Report.origin_incident_id.in_([r.id for r in rows]))
            .order_by(Report.id.desc())
        )
        words = {r.origin_incident_id: r for r in session.execute(first)}  # the first report wins (id desc)
    found: dict[str, list[dict]] = {n: [] for n in numbers}
    for r in rows:
        report = words.get(r.id)
        found[r.caller_number].append(
            {
                "incident_id": r.id,
                "received_at": r.received_at,
                "hour": r.received_at.astimezone(CHINA).hour,
                "category": r.category,
                "outcome": r.outcome,
                "disposition": r.disposition,
                "words": report.text if report else r.summary,
                "channel": report.channel if report else None,
                "reference": report.external_ref if report else None,
            }
        )
    return found


def queue(session: Session, actor: Principal, now: datetime, criteria: Criteria, limit: int = QUEUE_LIMIT) -> list:
    """Numbers that meet the criteria and have no open case, most false calls first, each with its counts by window
    and its latest false calls. One aggregate query finds them; every number shown is a recorded read."""
    _governs(session, actor, "nuisance.read")
    counts = [
        func.sum(case((Incident.received_at >= now - timedelta(days=w.days), 1), else_=0)).label(f"w{i}")
        for i, w in enumerate(criteria.windows)
    ]
    opened = select(CallerCase.open_number).where(CallerCase.open_number.is_not(None))
    found = session.execute(
        select(Incident.caller_number, func.count(Incident.id).label("total"),
               func.max(Incident.received_at).label("last"), *counts)
        .where(Incident.caller_number.is_not(None), Incident.received_at >= now - criteria.span,
               Incident.received_at <= now, _false(criteria), Incident.caller_number.not_in(opened))
        .group_by(Incident.caller_number)
        .having(or_(*(c >= w.calls for c, w in zip(counts, criteria.windows, strict=True))))
        .order_by(func.count(Incident.id).desc(), func.max(Incident.received_at).desc())
        .limit(limit)
    ).all()  # fmt: skip
    numbers = [r.caller_number for r in found]
    evidence = false_calls(session, numbers, now - criteria.span, now, criteria)
    if numbers:
        events.append_all(session, _read(actor, numbers))
    return [
        {
            "number": r.caller_number,
            "false_calls": int(r.total),
            "last_call": r.last,
            "windows": [
                {
                    "days": w.days,
                    "calls": w.calls,
                    "count": int(getattr(r, f"w{i}")),
                    "met": getattr(r, f"w{i}") >= w.calls,
                }
                for i, w in enumerate(criteria.windows)
            ],
            "evidence": evidence[r.caller_number][:EVIDENCE_SHOWN],
        }
        for r in found
    ]


def _open_case(session: Session, number: str, lock: bool = False) -> CallerCase | None:
    query = select(CallerCase).where(CallerCase.open_number == number)
    return session.scalar(query.with_for_update() if lock else query)


def _steps(session: Session, case_id: int) -> list[CallerCaseStep]:
    return list(
        session.scalars(select(CallerCaseStep).where(CallerCaseStep.case_id == case_id).order_by(CallerCaseStep.id))
    )


def flag_of(session: Session, row: CallerCase, now: datetime) -> Flag | None:
    """The case's flag as it stands now, by its own exit rule and the number's false calls since it was set."""
    if row.flagged_at is None or row.flag_rule is None:
        return None
    rule = Criteria.of_rule(row.flag_rule)
    times = list(
        session.scalars(
            select(Incident.received_at).where(
                Incident.caller_number == row.number, Incident.received_at >= row.flagged_at, _false(rule)
            )
        )
    )
    return flag_state(FlagFacts(row.flagged_at, rule.exit_days, row.flag_lifted_at), times, now)


def _flag_out(row: CallerCase, flag: Flag | None) -> dict | None:
    if flag is None:
        return None
    return {
        "status": flag.status.value,
        "since": flag.since,
        "review_at": row.flag_review_at,
        "ends_on": flag.ends_on,
        "last_false_call": flag.last_false,
        "exit_days": row.flag_rule["exit_days"],
        "lifted_at": row.flag_lifted_at,
        "lift_reason": row.flag_lift_reason,
    }


def _step_out(step: CallerCaseStep) -> dict:
    return {"id": step.id, "step": step.step, "means": step.means, "note": step.note, "detail": step.detail,
            "by": step.by, "at": step.at}  # fmt: skip


def standing(session: Session, number: str, now: datetime) -> dict | None:
    """What the call-taker sees at pickup: the open case, its flag (since when, until when) and the plan (the latest
    step, the next review). Never a reason to drop or lower a call."""
    row = _open_case(session, number)
    if row is None:
        return None
    flag = flag_of(session, row, now)
    latest = session.scalar(
        select(CallerCaseStep).where(CallerCaseStep.case_id == row.id).order_by(CallerCaseStep.id.desc()).limit(1)
    )
    return {
        "case_id": row.id,
        "state": row.state,
        "opened_at": row.opened_at,
        "flagged": flag is not None and flag.status == FlagStatus.IN_FORCE,
        "flag": _flag_out(row, flag),
        "latest_step": _step_out(latest) if latest else None,
        "next_review": row.flag_review_at if flag is not None and flag.status == FlagStatus.IN_FORCE else None,
    }


def governance(session: Session, actor: Principal, number: str, now: datetime, criteria: Criteria) -> dict:
    """One number's case (open, or the latest closed one), its steps and flag, and the evidence: its false calls
    within the criteria's widest window and which windows they meet. `number` comes normalised and its read
    recorded (incidents.service.look_up)."""
    _governs(session, actor, "nuisance.read")
    row = _open_case(session, number) or session.scalar(
        select(CallerCase).where(CallerCase.number == number).order_by(CallerCase.id.desc()).limit(1)
    )
    evidence = false_calls(session, [number], now - criteria.span, now, criteria)[number]
    met = meets([e["received_at"] for e in evidence], now, criteria)
    return {
        "number": number,
        "meets": bool(met),
        "windows": _windows(evidence, now, criteria),
        "case": _case_out(session, row, now) if row else None,
        "evidence": evidence,
    }


def _windows(evidence: list[dict], now: datetime, criteria: Criteria) -> list[dict]:
    out = []
    for w in criteria.windows:
        count = sum(1 for e in evidence if e["received_at"] >= now - timedelta(days=w.days))
        out.append({"days": w.days, "calls": w.calls, "count": count, "met": count >= w.calls})
    return out


def _case_out(session: Session, row: CallerCase, now: datetime) -> dict:
    flag = flag_of(session, row, now)
    state = NuisanceState(row.state)
    return {
        "id": row.id,
        "state": row.state,
        "opened_by": row.opened_by,
        "opened_at": row.opened_at,
        "closed_at": row.closed_at,
        "flag": _flag_out(row, flag),
        "steps": [_step_out(s) for s in _steps(session, row.id)],
        "open_steps": sorted(NUISANCE_STEPS[state]),
    }


def record_step(
    session: Session,
    actor: Principal,
    number: str,
    step: NuisanceStep,
    note: str,
    now: datetime,
    criteria: Criteria,
    *,
    means: StepMeans | None = None,
    review_at: datetime | None = None,
    exit_days: int | None = None,
) -> dict:
    """One step on the number's open case (opened by its first step): review, warning, referral, legal referral,
    flag, lift or close, along vocabulary.NUISANCE_STEPS, each with who, when and a note, and an event."""
    _governs(session, actor, "nuisance.write")
    note = note.strip()
    if not note:
        raise Invalid("请写明情况或理由 / write a note: what was done, or why")
    needs = STEP_MEANS.get(step, frozenset())
    if needs and means not in needs:
        allowed = "、".join(f"{m.value}（{m.zh}）" for m in sorted(needs))
        raise Invalid(f"{step.zh}须注明方式：{allowed} / a {step.en.lower()} needs `means`: {', '.join(sorted(needs))}")
    if not needs and means is not None:
        raise Invalid(f"{step.zh}不需要方式 / a {step.en.lower()} takes no `means`")
    if step != NuisanceStep.FLAG and (review_at is not None or exit_days is not None):
        raise Invalid("复核日期与退出天数只用于标记 / review_at and exit_days belong to a flag")
    entries = []
    row = _open_case(session, number, lock=True)
    if row is None:
        row = CallerCase(number=number, open_number=number, state=NuisanceState.OPEN, opened_by=actor.username,
                         opened_at=now, updated_at=now)  # fmt: skip
        try:
            with session.begin_nested():
                session.add(row)
        except IntegrityError:
            raise Conflict("该号码的案件刚被他人开启，请刷新 / a case on this number was just opened: reload") from None
        entries.append(_event(actor, "caller.case_opened", row))
    state = NuisanceState(row.state)
    if step not in NUISANCE_STEPS[state]:
        open_now = "、".join(f"{s.value}（{s.zh}）" for s in sorted(NUISANCE_STEPS[state])) or "无 none"
        raise Conflict(f"案件{state.zh}，不能{step.zh}；可做：{open_now} / a case {state.en.lower()} cannot take "
                       f"{step.value}; open now: {', '.join(sorted(NUISANCE_STEPS[state])) or 'none'}")  # fmt: skip
    flag = flag_of(session, row, now)
    in_force = flag is not None and flag.status == FlagStatus.IN_FORCE
    detail: dict = {}
    if step == NuisanceStep.REVIEW:
        evidence = false_calls(session, [number], now - criteria.span, now, criteria)[number]
        detail = {"windows": _windows(evidence, now, criteria), "incidents": [e["incident_id"] for e in evidence]}
    elif step == NuisanceStep.FLAG:
        if in_force:
            raise Conflict("该号码已在标记中 / the number is flagged already")
        review_at = review_at or now + timedelta(days=criteria.review_days)
        if review_at <= now:
            raise Invalid("复核日期须在今天之后 / the review date must be in the future")
        rule = criteria.exit_rule(exit_days)
        row.flagged_at, row.flag_review_at, row.flag_rule = now, review_at, rule
        row.flag_lifted_at = row.flag_lift_reason = None
        detail = {"review_at": review_at.isoformat(), **rule}
    elif step == NuisanceStep.LIFT:
        if not in_force:
            raise Conflict("该号码没有生效的标记 / the number has no flag in force")
        row.flag_lifted_at, row.flag_lift_reason = now, note
    elif step == NuisanceStep.CLOSE:
        if in_force:  # a closed case flags no one
            row.flag_lifted_at, row.flag_lift_reason = now, note
            detail = {"flag_lifted": True}
        row.open_number, row.closed_at = None, now
    landed = NUISANCE_LANDS_IN[step]
    if landed is not None:
        row.state = landed
    row.updated_at = now
    taken = CallerCaseStep(case_id=row.id, step=step, means=means, note=note, detail=detail, by=actor.username, at=now)
    session.add(taken)
    session.flush()
    entries.append(_event(actor, "caller.case_step", row, step=step.value, means=means, step_id=taken.id, **detail))
    events.append_all(session, entries)
    return _case_out(session, row, now)


def _event(actor: Principal, kind: str, row: CallerCase, **payload) -> events.Entry:
    """A case's event names the number masked and by its digest, like a caller read."""
    body = {"case_id": row.id, "number": mask_number(row.number), "number_sha256": sha256(row.number),
            "state": row.state, **{k: v for k, v in payload.items() if v is not None}}  # fmt: skip
    return events.Entry(kind, body, actor.username)


def figures(session: Session, actor: Principal, since: datetime, until: datetime, criteria: Criteria) -> dict:
    """False and nuisance calls counted for a period (by category and by field outcome, and how many numbers made
    them), the flags in force now, and after each kind of step how many callers made no false call since."""
    _governs(session, actor, "nuisance.read")
    period = and_(Incident.received_at >= since, Incident.received_at < until, _false(criteria))
    total, numbers = session.execute(
        select(func.count(Incident.id), func.count(func.distinct(Incident.caller_number))).where(period)
    ).one()
    by_category = select(Incident.category, func.count(Incident.id)).where(period).group_by(Incident.category)
    by_outcome = (
        select(Incident.outcome, func.count(Incident.id))
        .where(period, Incident.outcome.is_not(None))
        .group_by(Incident.outcome)
    )
    by_category, by_outcome = dict(session.execute(by_category).all()), dict(session.execute(by_outcome).all())
    steps = session.execute(
        select(CallerCase.number, CallerCaseStep.step, CallerCaseStep.at).join(
            CallerCase, CallerCase.id == CallerCaseStep.case_id
        )
    ).all()
    first = min((s.at for s in steps), default=None)
    calls: dict[str, list[datetime]] = {}
    if first is not None:
        cased = select(CallerCase.number)
        for n, at in session.execute(
            select(Incident.caller_number, Incident.received_at).where(
                Incident.caller_number.in_(cased), Incident.received_at >= first, _false(criteria)
            )
        ):
            calls.setdefault(n, []).append(at)
    after = stopped_after([(s.number, s.step, s.at) for s in steps], calls)
    flagged = 0
    for row in session.scalars(select(CallerCase).where(CallerCase.open_number.is_not(None),
                                                         CallerCase.flagged_at.is_not(None))):  # fmt: skip
        flag = flag_of(session, row, until)
        flagged += flag is not None and flag.status == FlagStatus.IN_FORCE
    return {
        "since": since,
        "until": until,
        "false_calls": int(total),
        "numbers": int(numbers),
        "by_category": {k: int(v) for k, v in by_category.items()},
        "by_outcome": {k: int(v) for k, v in by_outcome.items()},
        "flagged_now": flagged,
        "after_step": [
            {"step": f.step, "callers": f.callers, "stopped": f.stopped}
            for step in NuisanceStep
            if (f := after.get(step.value)) is not None
        ],
    }


def flags(session: Session, actor: Principal, now: datetime) -> list[dict]:
    """The open cases with a flag: in force (with the date it ends by its exit rule) or ended (expired or lifted)
    and waiting for the supervisor to close the case or act again."""
    _governs(session, actor, "nuisance.read")
    rows = session.scalars(
        select(CallerCase)
        .where(CallerCase.open_number.is_not(None), CallerCase.flagged_at.is_not(None))
        .order_by(CallerCase.flag_review_at)
    )
    return [{"number": row.number, "case_id": row.id, "state": row.state, **_flag_out(row, flag_of(session, row, now))}
            for row in rows]  # fmt: skip


def meets_now(session: Session, number: str, now: datetime, criteria: Criteria) -> bool:
    """Whether the number's false calls meet the criteria now (the incident page links to its case)."""
    times = session.scalars(
        select(Incident.received_at).where(
            Incident.caller_number == number, Incident.received_at >= now - criteria.span, _false(criteria)
        )
    )
    return bool(meets(list(times), now, criteria))
