"""Tortoise models per feature; each feature is its own app with its own migrations."""

from models import _comments

_comments.install()  # before any model class is built (start time, see the module)

#: app label -> model modules; a feature adds its line here.
APPS: dict[str, list[str]] = {
    "core": ["models.core"],
    "rooms": ["models.rooms"],
    "receptions": ["models.receptions"],
    "supplies": ["models.supplies"],
    "approvals": ["models.approvals"],
    "opinion": ["models.opinion"],
    "security": ["models.security"],
    "seals": ["models.seals"],
    "repairs": ["models.repairs"],
    "meetings": ["models.meetings"],
    "documents": ["models.documents"],
    "publicity": ["models.publicity"],
}
