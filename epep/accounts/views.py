"""Accepting an invitation, and accepting the user agreement."""

from allauth.account.internal.flows.login import record_authentication
from allauth.account.utils import perform_login
from django.contrib.auth.decorators import login_not_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_http_methods

from epep.tenancy.roles import Role

from . import gate, services
from .forms import AgreementForm, SetPasswordForm, YoungPersonAccountForm

UNUSABLE_MESSAGES = {
    "unknown": "This invitation link is not valid. Check you used the whole link from the email.",
    "expired": "This invitation has expired. Invitations last 7 days. Ask the person who "
    "invited you to send it again.",
    "accepted": "This invitation has already been used. If it was you, sign in.",
    "withdrawn": "This invitation has been withdrawn. Ask the person who invited you.",
}


@login_not_required
@require_http_methods(["GET", "POST"])
def invitation(request, token: str):
    try:
        invite = services.invitation_for_token(token)
    except services.InvitationUnusable as error:
        return render(
            request,
            "accounts/invitation_unusable.html",
            {"title": "You cannot use this invitation", "message": UNUSABLE_MESSAGES[error.state]},
            status=410 if error.state != "unknown" else 404,
        )
    if services.is_helped(invite) or (
        invite.role == Role.YOUNG_PERSON and services.existing_account(invite.email) is None
    ):
        return _young_person_account(request, token, invite)
    context = {"title": "Accept your invitation", "invitation": invite}
    account = services.existing_account(invite.email)
    if account is not None:
        # One account per person: the new role is added to it once they are signed in.
        if not request.user.is_authenticated:
            return render(request, "accounts/invitation_sign_in.html", context)
        if request.user.pk != account.pk:
            return render(request, "accounts/invitation_wrong_account.html", context, status=403)
        if request.method == "POST":
            services.invitation_accept(token=token, user=request.user)
            return redirect("portal:home")
        return render(request, "accounts/invitation_add_role.html", context)
    form = SetPasswordForm(
        request.POST or None, email=invite.email, initial={"full_name": invite.full_name}
    )
    if request.method == "POST" and form.is_valid():
        signed_in = _accept_and_sign_in(request, token, form)
        if signed_in is not None:
            return signed_in
    context["form"] = form
    return render(request, "accounts/invitation_set_password.html", context)


def _accept_and_sign_in(request, token: str, form):
    """Accept the invitation with the new account's details from ``form`` and sign the
    person in (noting whether their password is long: ``gate``); None, with the refusal
    on the form, if the service refused."""
    password = form.cleaned_data["password1"]
    try:
        user = services.invitation_accept(
            token=token,
            full_name=form.cleaned_data["full_name"],
            password=password,
            email=form.cleaned_data.get("email", ""),
        )
    except (ValidationError, PermissionDenied) as error:
        form.add_error(None, error)
        return None
    record_authentication(request, user, method="password", email=user.email)
    gate.remember_password_length(request, password)
    return perform_login(request, user, redirect_url="/")


def _young_person_account(request, token: str, invite):
    """A young person sets up their account (or their carer helps them), in plain words;
    their password is long where their authority's rule asks for it."""
    first_name = invite.full_name.split(" ")[0]
    helped = services.is_helped(invite)
    form = YoungPersonAccountForm(
        request.POST or None,
        email=invite.email,
        initial={"full_name": invite.full_name},
        first_name=first_name,
        helped=helped,
        long_password=services.young_person_needs_long_password(invite),
    )
    if request.method == "POST" and form.is_valid():
        signed_in = _accept_and_sign_in(request, token, form)
        if signed_in is not None:
            return signed_in
    title = f"Help {first_name} set up their account" if helped else "Set up your account"
    return render(
        request,
        "accounts/invitation_young_person.html",
        {
            "title": title,
            "invitation": invite,
            "first_name": first_name,
            "helped": helped,
            "form": form,
        },
        status=400 if form.errors else 200,
    )


@require_http_methods(["GET", "POST"])
def safer_sign_in(request):
    """A young person whose authority's rule asks for a long password or two-step
    sign-in, signed in with a shorter password and no two-step: the two ways on."""
    return render(request, "accounts/safer_sign_in.html", {"title": "Make your account safer"})


@require_http_methods(["GET", "POST"])
def agreement(request):
    actor = getattr(request, "actor", None)
    outstanding = services.agreements_outstanding(actor)
    next_url = request.GET.get("next") or request.POST.get("next") or "/"
    if not url_has_allowed_host_and_scheme(next_url, allowed_hosts={request.get_host()}):
        next_url = "/"
    if not outstanding:
        return redirect(next_url)
    form = AgreementForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        services.agreements_accept(actor=actor, agreements=outstanding)
        return redirect(next_url)
    return render(
        request,
        "accounts/agreement.html",
        {
            "title": "Before you continue: your user agreement",
            "agreements": outstanding,
            "form": form,
            "next": next_url,
        },
    )
