from django.apps import AppConfig


class VoiceConfig(AppConfig):
    name = "voice"
    verbose_name = "My Voice"

    def ready(self):
        from peps.hooks import register_pdf_section

        from .pdf import SECTION_KEY, shared_voice_for_pdf

        register_pdf_section(SECTION_KEY, shared_voice_for_pdf)
