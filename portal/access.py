"""View helpers: every portal view asks for its actor and role through these."""

from functools import wraps

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
