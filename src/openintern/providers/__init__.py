"""LLM providers: an org's provider rows (CRUD) and the choice of a run's model."""

from openintern.providers.choice import (
    HOW_TO_CONFIGURE,
    ModelChooser,
    chat_model,
    org_providers,
    pick_provider,
    provider_config,
    settings_provider,
)
from openintern.providers.service import (
    create_provider,
    delete_provider,
    get_provider,
    list_providers,
    refuse_private,
    test_provider,
)

__all__ = [
    "HOW_TO_CONFIGURE",
    "ModelChooser",
    "chat_model",
    "create_provider",
    "delete_provider",
    "get_provider",
    "list_providers",
    "org_providers",
    "pick_provider",
    "provider_config",
    "refuse_private",
    "settings_provider",
    "test_provider",
]
