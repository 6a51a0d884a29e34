"""Rules: who may see and do what (`permissions`: one `refusal()` for the lens, the views, the
admin and the services), how often (`limits`), and the validation that formats and services
share (`validation`: a claim's text, a source's address).

May use: models only. Used by every other part.
"""
