"""Attendance and attainment from a school's MIS, uploaded by UPN (see ``services``)."""
