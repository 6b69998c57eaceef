"""The SSDA903 import: the council's children-looked-after extract (header, episodes and
UASC files in the DfE CSV layout) read, checked, previewed and applied.

``reader`` (CSV with encoding sniffing) → ``validate`` (every problem, as
:class:`~imports.ssda903.problems.Problem`) → ``plan`` (what will change) → ``services``
(``ssda903_import``: one transaction, bulk reads and writes, audited, deadlines worked out
once for the children changed). The command ``import_ssda903``, the Celery task
``imports.tasks.ssda903_import_task`` and the portal's upload all call ``ssda903_import``.
"""
