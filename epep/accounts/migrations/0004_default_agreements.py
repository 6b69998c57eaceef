"""The product's default user agreement for every role (version 1). Authorities publish
their own versions in the admin; a new version asks everyone affected again."""

from django.db import migrations

COMMON = [
    "ePEP holds personal and sensitive information about children in care: their education, "
    "care history, health and special educational needs, and the views of the child and "
    "the adults around them. It is marked OFFICIAL-SENSITIVE.",
    "I will only look at a child's record when I need to for my work with that child, and "
    "every time I open or change a record it is logged with my name. The Virtual School can "
    "see who has viewed or changed each child's record.",
    "I will keep my password and my two-step sign-in device to myself, never share my "
    "account, and sign out or lock my screen when I step away. I will tell the Virtual "
    "School at once if I think someone else has used my account or seen information they "
    "should not have.",
    "I will not copy, print, download or send children's information outside ePEP unless "
    "it is needed for the child's care or education and is shared securely with someone "
    "entitled to it. Printed PEPs are kept locked away and shredded when no longer needed.",
    "I will record information accurately, respectfully and in words the child could read "
    "about themselves.",
    "I understand that my access can be withdrawn and misuse may lead to disciplinary "
    "action, and that the local authority processes this data under UK GDPR and the Data "
    "Protection Act 2018 for its duties to children in care (Children Act 1989, "
    "section 22(3A)).",
]

ROLE_TEXT = {
    "vs_head": ("Virtual School Head", "I am responsible for how my team uses ePEP."),
    "vs_officer": ("Virtual School officer", "I will give others access only when needed."),
    "la_admin": (
        "Local authority administrator",
        "I will invite people only into the roles their work needs, and remove access when "
        "they leave or change roles.",
    ),
    "social_worker": (
        "Social worker",
        "I will share the PEP with the child's care review and keep the child's care plan and "
        "PEP consistent.",
    ),
    "personal_adviser": (
        "Personal adviser",
        "I will use the PEP to support the young person's pathway plan.",
    ),
    "designated_teacher": (
        "Designated teacher",
        "I will keep the PEP up to date for the children on roll at my school, share "
        "children's records with colleagues only when they need them, and not keep copies "
        "outside ePEP. Children from several local authorities may be on roll at my school: "
        "each authority's data is shared with me for its children only.",
    ),
    "school_staff": (
        "School staff",
        "I will look only at the children a designated teacher has shared with me, for the "
        "reason they were shared.",
    ),
    "carer": (
        "Carer",
        "I will use ePEP to support the children placed with me, keep what I read "
        "confidential, and not show it to other members of my household.",
    ),
    "iro": (
        "Independent reviewing officer",
        "I will use the PEP to prepare for and chair the child's care reviews.",
    ),
}

YOUNG_PERSON = [
    "This is your space in ePEP. It shows your Personal Education Plan (PEP) and lets you "
    "tell the adults who help you what you think.",
    "Your information is private. Only the people who help you with school and your care "
    "can see it, and the system keeps a record of who looks at it.",
    "Keep your password to yourself. If you think someone else has used your account, tell "
    "your social worker or carer.",
    "Be kind in what you write about yourself and others.",
]


def create(apps, schema_editor):
    UserAgreement = apps.get_model("accounts", "UserAgreement")
    for role, (label, extra) in ROLE_TEXT.items():
        UserAgreement.objects.get_or_create(
            local_authority=None,
            role=role,
            version=1,
            defaults={
                "title": f"Data sharing and acceptable use: {label}",
                "body": "\n\n".join([*COMMON[:4], extra, *COMMON[4:]]),
            },
        )
    UserAgreement.objects.get_or_create(
        local_authority=None,
        role="young_person",
        version=1,
        defaults={"title": "Using ePEP safely", "body": "\n\n".join(YOUNG_PERSON)},
    )


class Migration(migrations.Migration):
    dependencies = [("accounts", "0003_row_level_security")]

    operations = [migrations.RunPython(create, migrations.RunPython.noop)]
