"""Writes about PEPs. One transaction each, validated, with an audit event; who may do
what is ``peps.permissions`` (enforced here). One module per entity:

- ``cycle``: starting a PEP and moving it through its cycle;
- ``sections``: saving a section (no lost edits: ``EditConflict``);
- ``targets``: targets, their review, actions;
- ``attainment``: the attainment table;
- ``documents``: documents on a child's record or a PEP;
- ``requests``: asking others for their sections, or recording one could not be obtained.

No lost edits: every section and target carries a version. A save names the version it
started from; if someone else saved in between, the save is refused with an
``EditConflict`` that carries both texts, so nothing is overwritten silently.

Callers use the names re-exported here: ``from peps import services;
services.pep_start(...)``.
"""

from ..models import Target  # noqa: F401 (callers that wrote services.Target)
from ._common import EditConflict, StaleState
from .attainment import attainment_save
from .cycle import pep_completeness, pep_completeness_items, pep_start, pep_transition, term_for
from .documents import attachment_can_delete, attachment_delete, attachment_upload
from .requests import (
    section_mark_not_obtained,
    section_request_send,
    section_request_withdraw,
    section_unmark_not_obtained,
)
from .sections import pep_section_save
from .targets import TARGET_FIELDS, action_add, target_delete, target_review, target_save
from .variants import pep_variant_change

__all__ = [
    "TARGET_FIELDS",
    "EditConflict",
    "StaleState",
    "action_add",
    "attachment_can_delete",
    "attachment_delete",
    "attachment_upload",
    "attainment_save",
    "pep_completeness",
    "pep_completeness_items",
    "pep_section_save",
    "pep_variant_change",
    "pep_start",
    "pep_transition",
    "section_mark_not_obtained",
    "section_request_send",
    "section_request_withdraw",
    "section_unmark_not_obtained",
    "target_delete",
    "target_review",
    "target_save",
    "term_for",
]
