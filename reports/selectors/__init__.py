"""Every figure of the Virtual School Head's dashboard and reports, one module per
section: ``compliance`` (the cohort and PEP timeliness), ``quality`` (QA grades, returns,
moderation), ``ppplus`` (Pupil Premium Plus), ``outcomes`` (attendance, suspensions and
exclusions, attainment, NEET), and ``drill`` (the children behind a number). Each
returns :class:`reports.figures.Section` for an actor and a
:class:`reports.filters.ReportFilter`."""
