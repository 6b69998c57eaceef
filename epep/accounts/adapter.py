from allauth.account.adapter import DefaultAccountAdapter


class AccountAdapter(DefaultAccountAdapter):
    """No self-registration: every account comes from an invitation."""

    def is_open_for_signup(self, request) -> bool:
        return False
