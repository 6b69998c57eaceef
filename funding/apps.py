from django.apps import AppConfig


class FundingConfig(AppConfig):
    name = "funding"
    verbose_name = "Pupil Premium Plus"

    def ready(self):
        from children import hooks

        from .services.release import pp_lines_follow_school_move

        # Committed, unpaid PP+ follows a child who moves school mid-term.
        hooks.register_school_moved(pp_lines_follow_school_move)
