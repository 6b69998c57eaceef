"""View helpers: every portal view asks for its actor and role through these, and turns
what a service refused into the answer a person sees (:func:`service_errors`)."""

from collections.abc import Iterator
from contextlib import contextmanager
from functools import wraps

from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404


def roles_required(*roles):
    """Only actors acting in one of ``roles`` reach the view; anyone else gets a 404,
    the same answer as for a page that does not exist."""
    allowed = frozenset(roles)

    def decorator(view):
        @wraps(view)
        def wrapped(request, *args, **kwargs):
            actor = getattr(request, "actor", None)
            if actor is None or actor.role not in allowed:
                raise Http404("Page not found")
            return view(request, *args, **kwargs)

        wrapped.allowed_roles = allowed
        return wrapped

    return decorator


def actor_required(view):
    """Any signed-in actor with a role."""

    @wraps(view)
    def wrapped(request, *args, **kwargs):
        actor = getattr(request, "actor", None)
        if actor is None or actor.role is None:
            raise Http404("Page not found")
        return view(request, *args, **kwargs)

    return wrapped


def add_service_errors(form, error: ValidationError, fields: dict | None = None) -> None:
    """Put a service's ``ValidationError`` on ``form``: each field's messages on the form
    field of that name (or the name ``fields`` maps it to), the rest as non-field errors
    (shown in the error summary)."""
    if hasattr(error, "error_dict"):
        for name, problems in error.message_dict.items():
            target = (fields or {}).get(name, name)
            form.add_error(target if target in form.fields else None, problems)
    else:
        for message in error.messages:
            form.add_error(None, message)


class ServiceCall:
    """The outcome of a :func:`service_errors` block: ``ok`` unless the service refused
    the data (its errors are on the form)."""

    def __init__(self) -> None:
        self.ok = True
        self.error: ValidationError | None = None


@contextmanager
def service_errors(form=None, *, fields: dict | None = None) -> Iterator[ServiceCall]:
    """The one way a portal view calls a service that writes:

    - ``PermissionDenied`` (the permissions module said no) → 404, the same answer as for
      a page that does not exist;
    - ``ValidationError`` → errors on ``form``'s fields (see :func:`add_service_errors`) and
      ``call.ok`` is False; without a form, a 404 as well.

    ::

        with service_errors(form) as call:
            services.pep_section_save(actor=request.actor, ...)
        if call.ok:
            return redirect(...)
        return render(..., status=400)
    """
    call = ServiceCall()
    try:
        yield call
    except PermissionDenied:
        raise Http404("Page not found") from None
    except ValidationError as error:
        if form is None:
            raise Http404("Page not found") from None
        call.ok = False
        call.error = error
        add_service_errors(form, error, fields)
