import re

from .models import new_request_id
from .requestid import current_path, current_request_id

_VALID = re.compile(r"^[A-Za-z0-9._-]{8,64}$")


class RequestIdMiddleware:
    """Give every request an id (or keep a sane one from the proxy) and echo it back."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        incoming = request.headers.get("X-Request-ID", "")
        request.request_id = incoming if _VALID.match(incoming) else new_request_id()
        token = current_request_id.set(request.request_id)
        path_token = current_path.set(request.path[:300])
        try:
            response = self.get_response(request)
        finally:
            current_request_id.reset(token)
            current_path.reset(path_token)
        response["X-Request-ID"] = request.request_id
        return response
