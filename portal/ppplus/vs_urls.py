"""PP+ screens of the Virtual School: the policy, the budget and per-child ledger,
decisions on requests, payment runs with their downloads, and spend reports."""

from django.urls import path

from . import vs_views as views

_ = "virtual-school/pp-plus/"

urlpatterns: list = [
    path(f"{_}policy/", views.policy, name="vs_policy"),
    path(f"{_}budget/", views.budget, name="vs_budget"),
    path(f"{_}budget/grant/", views.grant_record, name="vs_grant_record"),
    path(f"{_}budget/allocate/", views.allocate, name="vs_allocate"),
    path(f"{_}budget/children/", views.ledger, name="vs_ledger"),
    path(f"{_}decisions/", views.decisions, name="vs_decisions"),
    path(f"{_}decisions/<uuid:line_id>/", views.decide, name="vs_decide"),
    path(f"{_}no-impact/", views.no_impact, name="vs_no_impact"),
    path(f"{_}payment-runs/", views.runs, name="vs_runs"),
    path(f"{_}payment-runs/<uuid:run_id>/", views.run_detail, name="vs_run"),
    path(f"{_}payment-runs/<uuid:run_id>/confirm/", views.run_confirm, name="vs_run_confirm"),
    path(f"{_}payment-runs/<uuid:run_id>/paid/", views.run_paid, name="vs_run_paid"),
    path(
        f"{_}payment-runs/<uuid:run_id>/remittance/<uuid:school_id>.csv",
        views.remittance_csv,
        name="vs_remittance_csv",
    ),
    path(
        f"{_}payment-runs/<uuid:run_id>/remittance/<uuid:school_id>.pdf",
        views.remittance_pdf,
        name="vs_remittance_pdf",
    ),
    path(f"{_}payment-runs/<uuid:run_id>/finance.csv", views.finance_csv, name="vs_finance_csv"),
    path(f"{_}reports/", views.report, name="vs_report"),
    path(
        f"{_}reports/spend.csv", views.report_download, {"file_format": "csv"}, name="vs_report_csv"
    ),
    path(
        f"{_}reports/spend.xlsx",
        views.report_download,
        {"file_format": "xlsx"},
        name="vs_report_xlsx",
    ),
]
