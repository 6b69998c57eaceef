"""Row-level security for invitations and agreements.

- An invitation is readable within its authority, or by whoever presents its token
  (``app.invitation`` holds the token's SHA-256, set by the acceptance view).
- Agreements: the product defaults (no authority) are readable by all; an authority's own
  only within that authority.
- Acceptances: by the person who accepted, and within the agreement's authority."""

from django.db import migrations

from epep.tenancy.rls import composite_child_fk, enable_rls, la_clause, user_clause

INVITATION_TOKEN = "token_hash = (SELECT nullif(current_setting('app.invitation', true), ''))"


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0002_invitations_and_agreements"),
        ("children", "0003_row_level_security"),
    ]

    operations = [
        enable_rls("accounts_invitation", using=f"{la_clause()} OR {INVITATION_TOKEN}"),
        enable_rls(
            "accounts_useragreement", using=f"local_authority_id IS NULL OR {la_clause()}"
        ),
        enable_rls(
            "accounts_agreementacceptance",
            using=f"local_authority_id IS NULL OR {la_clause()} OR {user_clause()}",
        ),
        # An invitation for a young person names a child of the inviting authority only.
        composite_child_fk("accounts_invitation"),
    ]
