from django.db import transaction

from .actor import resolve_actor

ACTIVE_ROLE_SESSION_KEY = "active_role"


class TenantContextMiddleware:
    """Open the request's transaction, work out who is acting in which role, and set the
    row-level-security context for that transaction only.

    The actor comes from the resolver named by ``settings.EPEP_ACTOR_RESOLVER``
    (``epep.tenancy.actor``). Everything after this middleware (views, templates rendered
    eagerly) runs inside the transaction. Streaming responses and on-commit callbacks run
    outside it and must set their own context (``epep.tenancy.context.authority_context``
    or ``epep.tenancy.actor.acting_as``).
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        from epep.audit.services import audit_events_outliving_the_view

        with transaction.atomic(), audit_events_outliving_the_view():
            request.actor = None
            if request.user.is_authenticated:
                request.actor = resolve_actor(
                    request.user, request.session.get(ACTIVE_ROLE_SESSION_KEY)
                )
            response = self.get_response(request)
            if hasattr(response, "render") and callable(response.render):
                response = response.render()
            return response
