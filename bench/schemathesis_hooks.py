"""Schemathesis hooks for bench/schemathesis.sh.

Loaded through SCHEMATHESIS_HOOKS=bench/schemathesis_hooks.py. One hook only:
keep the run's own administrator alive.

The run authenticates as the administrator `admin` (id in PORTERO_ADMIN_ID)
and re-logs in on a 401 (see schemathesis.sh). That recovers from everything
that merely ends sessions (logout, revoke all, revoke one, revoke a user's
sessions), but not from the administrator losing the account itself: once the
fuzzer has created a second active admin through POST /api/users, a PATCH
/api/users/{admin} with role=user or is_active=false, or a DELETE
/api/users/{admin}, is allowed by the last-admin rule, and from then on every
admin-only request is a 401/403 that re-login cannot fix (coverage of the rest
of the run is lost, though the answers stay conformant).

So a PATCH or DELETE of /api/users/{id} aimed at the run's administrator is
redirected to an id that does not exist (a 404, which the spec documents);
everything else is sent as generated. The last-admin rule itself is covered
by the Rust tests, not by this run.
"""

import os

import schemathesis

ADMIN_ID = os.environ.get("PORTERO_ADMIN_ID", "")
# Far beyond any id this run creates, and still a valid int64.
UNUSED_ID = 9_000_000_000_000_000_000


@schemathesis.hook
def before_call(context, case, kwargs):
    if not ADMIN_ID:
        return
    # Spec paths are relative to the server URL /api: "/users/{id}".
    if case.operation.path not in ("/users/{id}", "/api/users/{id}") or case.method.upper() not in (
        "PATCH",
        "DELETE",
    ):
        return
    params = case.path_parameters or {}
    if str(params.get("id")) == ADMIN_ID:
        case.path_parameters = {**params, "id": UNUSED_ID}
