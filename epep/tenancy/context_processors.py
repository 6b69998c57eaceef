from .navigation import navigation_for


def actor(request):
    actor = getattr(request, "actor", None)
    return {"actor": actor, "nav_items": navigation_for(request, actor)}
