"""Principals, passwords, tokens, API keys, tenancy and the audit log."""

from openintern.auth.audit import AuditRecord, AuditWriter, list_audit
from openintern.auth.bootstrap import DEFAULT_ORG_ID, DEFAULT_PROJECT_ID, Bootstrap, ensure_bootstrap
from openintern.auth.crypto import SecretBox, load_or_create_key
from openintern.auth.keys import create_key, get_key, list_keys, set_key_status
from openintern.auth.principals import authenticate, hash_api_key, login
from openintern.auth.redact import RedactSecrets, install_redaction, redact
from openintern.auth.scope import Principal, Role, Scope, narrow
from openintern.auth.tenancy import (
    add_user_to_org,
    create_org,
    create_project,
    create_user,
    delete_project,
    get_org,
    get_project,
    list_members,
    list_projects,
    orgs_of,
    project_in_org,
    remove_member,
    update_member,
    update_org,
    update_project,
)

__all__ = [
    "DEFAULT_ORG_ID",
    "DEFAULT_PROJECT_ID",
    "AuditRecord",
    "AuditWriter",
    "Bootstrap",
    "Principal",
    "RedactSecrets",
    "Role",
    "Scope",
    "SecretBox",
    "add_user_to_org",
    "authenticate",
    "create_key",
    "create_org",
    "create_project",
    "create_user",
    "delete_project",
    "ensure_bootstrap",
    "get_key",
    "get_org",
    "get_project",
    "hash_api_key",
    "install_redaction",
    "list_audit",
    "list_keys",
    "list_members",
    "list_projects",
    "load_or_create_key",
    "login",
    "narrow",
    "orgs_of",
    "project_in_org",
    "redact",
    "remove_member",
    "set_key_status",
    "update_member",
    "update_org",
    "update_project",
]
