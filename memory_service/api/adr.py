"""Routes for a project's decision log as ADR files: export as MADR, import MADR or Nygard."""

from __future__ import annotations

from fastapi import APIRouter

from memory_service.api.deps import PrincipalDep, StoreDep
from memory_service.schemas.adr import AdrExport, AdrImport, AdrImportResult
from memory_service.services.access import access
from memory_service.services.decisions import adr, adr_import

router = APIRouter(prefix="/v1/projects/{project}/adr", tags=["adr"])


@router.get("", response_model=AdrExport)
def export_adr(project: str, store: StoreDep, principal: PrincipalDep) -> AdrExport:
    """The project's decisions as MADR 4 files (`NNNN-slug.md`) plus the index `README.md`."""
    access.require_project(principal, project)
    return AdrExport(project=project, files=adr.export_files(store, project=project))


@router.post("", response_model=AdrImportResult)
def import_adr(
    project: str, body: AdrImport, store: StoreDep, principal: PrincipalDep
) -> AdrImportResult:
    """Read MADR, Nygard or adr-tools files into the project; unchanged files write nothing."""
    # Imported decisions name their own authors and statuses: a reviewer's call.
    access.require_role(principal, "reviewer", "importing decision records")
    access.require_project(principal, project)
    actor = access.act_as(principal, body.actor, field="actor") or "adr-import"
    return adr_import.import_files(
        store, project=project, files=body.files, actor=actor, token=principal.name
    )
