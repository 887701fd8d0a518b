"""HTTP routes of NENA EIDO: GET an incident as an EIDO document, POST a document to open an incident."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Body
from fastapi.responses import JSONResponse
from pydantic import RootModel

from lifeline.api.context import IdempotencyKey, RequestContext
from lifeline.api.problems import RESPONSES
from lifeline.api.schemas import IncidentId
from lifeline.callers import service as callers
from lifeline.eido import document as eido
from lifeline.eido import service as eido_service
from lifeline.incidents.schemas import CallerOut, IncidentOut, IntakeOut, TriageOut
from lifeline.store.base import utcnow
from lifeline.triage import triage

router = APIRouter(responses=RESPONSES)


class EidoDocument(RootModel[dict[str, Any]]):
    """An Emergency Incident Data Object (NENA-STA-021, root type EmergencyIncidentDataObjectType)."""


class _Existing(Exception):
    """The document was imported before: answer 200 with the incident it made, writing nothing."""

    def __init__(self, payload: dict):
        self.payload = payload


@router.get(
    "/incidents/{incident_id}/eido",
    response_model=EidoDocument,
    tags=["eido"],
    summary="警情导出为 NENA EIDO / the incident as a NENA EIDO document",
)
def export(incident_id: IncidentId, ctx: RequestContext):
    return ctx.run(lambda s, who: EidoDocument(eido_service.export(s, who, incident_id)))


@router.post(
    "/eido",
    status_code=201,
    response_model=IntakeOut,
    tags=["eido"],
    summary="导入 NENA EIDO 文档为报警 / import a NENA EIDO document as a report",
    responses={200: {"model": IntakeOut, "description": "已导入过，返回原警情 already imported: the same incident"}},
)
def import_document(
    document: Annotated[dict[str, Any], Body(description="EIDO 文档 an EmergencyIncidentDataObjectType")],
    ctx: RequestContext,
    key: IdempotencyKey = None,
):
    parsed = eido.from_eido(document)  # 422 with the schema errors listed
    suggestion = triage(parsed.text, parsed.channel)  # the CPU work, before the write lock is taken

    def work(session, who):
        got = eido_service.import_report(session, who, parsed, suggestion)
        if got.created:
            return IntakeOut.of(got.intake)
        number = got.incident.caller_number
        out = IntakeOut(
            incident=IncidentOut.of(got.incident),
            report_id=got.report.id,
            triage=TriageOut.of(triage(got.report.text, got.report.channel)),
            duplicates=[],
            caller=CallerOut.of(callers.history(session, number, utcnow()) if number else None),
        )
        raise _Existing(out.model_dump(mode="json"))

    try:
        return ctx.run(work, status=201, key=key, body=EidoDocument(document))
    except _Existing as existing:
        return JSONResponse(existing.payload, status_code=200)
