"""EIDO in transactions: export one incident for a reader, import one document as a report."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from lifeline.auth import permissions
from lifeline.auth.models import Organisation
from lifeline.auth.service import Principal, require
from lifeline.eido import document as eido
from lifeline.errors import Conflict
from lifeline.incidents import service as incidents
from lifeline.incidents.models import Incident, Report
from lifeline.store import events
from lifeline.triage import TriageResult


def export(session: Session, actor: Principal, incident_id: int) -> dict:
    """The EIDO of an incident `actor` may read. The full number only for those who may read it, and recorded."""
    require(actor, "incident.read")
    incident = incidents.get(session, actor, incident_id)
    org = session.get(Organisation, incident.owner_org_id)
    agency = eido.Agency(org.code, org.name, org.kind) if org else eido.Agency(str(incident.owner_org_id))
    reports = list(incident.reports)
    unmasked = permissions.allowed(actor.role, "caller.read")
    if unmasked and any(r.caller_number for r in reports):
        events.append(
            session,
            "caller.number_read",
            {"role": actor.role, "via": "eido"},
            actor=actor.username,
            incident_id=incident.id,
        )
    return eido.to_eido(incident, reports, agency, mask_number=not unmasked)


@dataclass
class Imported:
    incident: Incident
    report: Report
    created: bool
    intake: incidents.Intake | None = None


def import_report(session: Session, actor: Principal, data: eido.EidoReport, result: TriageResult) -> Imported:
    """A new incident from an EIDO document; the same EIDO incident id again answers with the first one."""
    require(actor, "report.create")
    earlier = session.scalar(
        select(Report).where(Report.external_ref == data.external_ref).order_by(Report.id).limit(1)
    )
    if earlier is not None:
        visible = session.scalar(
            select(Incident.id).where(Incident.id == earlier.incident_id, incidents.scope(session, actor))
        )
        if visible is None:
            raise Conflict(
                f"EIDO 警情 {data.external_ref} 已由其他单位导入 / EIDO incident {data.external_ref}"
                " was already imported by another organisation"
            )
        return Imported(earlier.incident, earlier, created=False)
    got = incidents.intake(session, actor, incidents.ReportIn(**data.as_fields()), result)
    events.append(
        session,
        "eido.imported",
        {"external_ref": data.external_ref, "report_id": got.report.id},
        actor=actor.username,
        incident_id=got.incident.id,
    )
    return Imported(got.incident, got.report, created=True, intake=got)
