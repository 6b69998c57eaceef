"""School attendance codes in force since 19 August 2024 (DfE, *Working together to
improve school attendance*, and the school attendance regulations 2024), for the
"Absence by code" column of a school's upload. Pure data, no database.

Only absence codes belong in that column: a present mark (``/``, ``\\``, ``L``) or an
approved educational activity (``K``, ``V``, ``P``, ``W``, ``B``, ``D``) counts as
attended. Codes retired in August 2024 (``H``, ``J``, ``Y``) and before (``F``) are refused
with a message naming what replaced them.
"""

from __future__ import annotations

#: Absence codes, with what they mean.
ABSENCE = {
    # Leave of absence (authorised)
    "C": "Leave of absence for exceptional circumstances",
    "C1": "Leave of absence to take part in a regulated performance or employment abroad",
    "C2": "Leave of absence for a compulsory school age pupil subject to a part-time timetable",
    "J1": "Leave of absence to attend an interview",
    "M": "Leave of absence for a medical or dental appointment",
    "S": "Leave of absence to attend a study leave",
    "T": "Leave of absence: parent travelling for occupational purposes",
    "E": "Absent because suspended or excluded, with no alternative provision",
    "I": "Absent because of illness",
    "R": "Absent because of religious observance",
    # Unable to attend because of unavoidable causes
    "Q": "Unable to attend because of a lack of access arrangements",
    "Y1": "Unable to attend: transport normally provided not available",
    "Y2": "Unable to attend: widespread disruption to travel",
    "Y3": "Unable to attend: part of the school premises closed",
    "Y4": "Unable to attend: whole school site unexpectedly closed",
    "Y5": "Unable to attend: in criminal justice detention",
    "Y6": "Unable to attend: public health guidance or law",
    "Y7": "Unable to attend: any other unavoidable cause",
    # Unauthorised
    "G": "Holiday not granted by the school",
    "N": "Reason for absence not yet established",
    "O": "Absent in other or unknown circumstances",
    "U": "Arrived in school after registration closed",
    # Administrative
    "X": "Not required to be in school (non-compulsory school age)",
    "Z": "Pupil not on admission register",
    "#": "Planned whole-school closure",
}

#: Absence codes that are not possible sessions: they do not count against attendance.
NOT_POSSIBLE = frozenset({"X", "Q", "Y1", "Y2", "Y3", "Y4", "Y5", "Y6", "Y7", "Z", "#"})

#: Marks that count as attending: not for the absence column.
ATTENDING = {
    "/": "Present (morning)",
    "\\": "Present (afternoon)",
    "L": "Late, before registration closed",
    "K": "Attending education provision arranged by the local authority",
    "V": "Attending an educational visit or trip",
    "P": "Participating in a supervised sporting activity",
    "W": "Attending work experience",
    "B": "Attending any other approved educational activity",
    "D": "Dual registered: at another school",
}

#: Codes no longer in use, with what to use instead.
RETIRED = {
    "H": "H (holiday authorised) is no longer used since 19 August 2024: leave in term time "
    "is C (exceptional circumstances) or, if not agreed, G.",
    "J": "J (interview) is no longer used since 19 August 2024: use J1.",
    "Y": "Y is no longer used since 19 August 2024: use Y1 to Y7 for the reason the pupil "
    "could not attend.",
    "F": "F (extended family holiday) is no longer used: use G (holiday not granted).",
}


def absence_code_problem(code: str) -> str | None:
    """Why ``code`` cannot be recorded as an absence, or None if it can."""
    if code in ABSENCE:
        return None
    if code in RETIRED:
        return RETIRED[code]
    if code in ATTENDING:
        return (
            f"{code} ({ATTENDING[code].lower()}) counts as attending: "
            "only absence codes go in this column."
        )
    return f"'{code}' is not an attendance code in use since 19 August 2024."
