"""The DfE code lists the SSDA903 import accepts, and how a PLACE code maps to a
placement type (``children.models.Placement.Type``).

Source: ``shared/reference/ssda903/FORMAT.md`` (the validator's and liia-tools' lists).

PLACE: the union of the 2022-23 to 2025-26 lists. Extracts still carry codes retired in
2025-26 (``H5``, ``P2``, ``Z1``: the public samples do) and the new ones (``K3``,
``Z11``–``Z14``); both are accepted, so a council's older extract imports too.
"""

from __future__ import annotations

from children.models import CarePeriod, Child, Placement

#: Header and UASC SEX: the old ``1``/``2`` and the 2024-25 ``M``/``F``/``U``.
SEX = {
    "1": Child.Gender.MALE,
    "2": Child.Gender.FEMALE,
    "M": Child.Gender.MALE,
    "F": Child.Gender.FEMALE,
    "U": Child.Gender.OTHER,
}

#: RNE, reason for new episode. ``S`` starts a period of care; these five start a placement.
RNE = ("S", "L", "P", "T", "B", "U")
STARTS_CARE = "S"
STARTS_PLACEMENT = frozenset({"S", "P", "T", "B", "U"})

LS = tuple(Child.LegalStatus.values)
CIN = ("N1", "N2", "N3", "N4", "N5", "N6", "N7", "N8")

_T = Placement.Type
#: PLACE → our placement type. The raw code is kept on the placement (``ssda903_place``).
PLACE_TYPES = {
    "A3": _T.ADOPTION,
    "A4": _T.ADOPTION,
    "A5": _T.ADOPTION,
    "A6": _T.ADOPTION,
    "H5": _T.SUPPORTED,  # semi-independent living (retired 2025-26)
    "K1": _T.SECURE,  # secure children's home
    "K2": _T.RESIDENTIAL,  # children's home
    "K3": _T.SUPPORTED,  # registered supported accommodation (from 2024-25)
    "P1": _T.PARENTS,
    "P2": _T.SUPPORTED,  # independent living (retired 2025-26)
    "P3": _T.OTHER,  # residential employment
    "R1": _T.RESIDENTIAL,  # residential care home
    "R2": _T.OTHER,  # NHS or health establishment
    "R3": _T.OTHER,  # family centre or mother and baby unit
    "R5": _T.SECURE,  # young offender institution
    "S1": _T.RESIDENTIAL,  # residential school
    "T0": _T.OTHER,  # temporary moves
    "T1": _T.OTHER,
    "T2": _T.OTHER,
    "T3": _T.OTHER,
    "T4": _T.OTHER,
    "U1": _T.KINSHIP,  # foster care with relatives or friends
    "U2": _T.KINSHIP,
    "U3": _T.KINSHIP,
    "U4": _T.FOSTER,  # foster care with other carers
    "U5": _T.FOSTER,
    "U6": _T.FOSTER,
    "Z1": _T.OTHER,  # other placements (retired 2025-26)
    "Z11": _T.OTHER,
    "Z12": _T.OTHER,
    "Z13": _T.OTHER,
    "Z14": _T.OTHER,
}
PLACE = tuple(PLACE_TYPES)
PLACE_PROVIDER = ("PR0", "PR1", "PR2", "PR3", "PR4", "PR5")
#: REC: ``X1`` (a new episode begins the same day) and the reasons a period of care ends.
REC_SAME_DAY = "X1"
REC = (REC_SAME_DAY, *CarePeriod.LeavingReason.values)
REASON_PLACE_CHANGE = (
    "CARPL",
    "CLOSE",
    "ALLEG",
    "STAND",
    "APPRR",
    "CREQB",
    "CREQO",
    "CHILD",
    "LAREQ",
    "PLACE",
    "CUSTOD",
    "OTHER",
)
#: UPN values meaning "no UPN recorded" (UN1–UN5).
NO_UPN = frozenset({"UN1", "UN2", "UN3", "UN4", "UN5"})

#: What each coded column is, for messages ("… is not a DfE legal status code").
CODE_LISTS = {
    "RNE": ("reason for new episode", RNE),
    "LS": ("legal status", LS),
    "CIN": ("category of need", CIN),
    "PLACE": ("placement type", PLACE),
    "PLACE_PROVIDER": ("placement provider", PLACE_PROVIDER),
    "REC": ("reason the episode ceased", REC),
    "REASON_PLACE_CHANGE": ("reason for the placement change", REASON_PLACE_CHANGE),
}

HEADER_COLUMNS = ("CHILD", "SEX", "DOB", "ETHNIC", "UPN", "MOTHER", "MC_DOB")
EPISODE_COLUMNS = (
    "CHILD",
    "DECOM",
    "RNE",
    "LS",
    "CIN",
    "PLACE",
    "PLACE_PROVIDER",
    "DEC",
    "REC",
    "REASON_PLACE_CHANGE",
    "HOME_POST",
    "PL_POST",
    "URN",
)
UASC_COLUMNS = ("CHILD", "SEX", "DOB", "DUC")
#: The columns the import needs (others, such as ETHNIC and MOTHER, are read past).
REQUIRED = {
    "header": ("CHILD", "SEX", "DOB", "UPN"),
    "episodes": EPISODE_COLUMNS,
    "uasc": ("CHILD", "DOB", "DUC"),
}
