"""Make admin views and changes leave the same audit events as the portal."""

from .services import audit_record


def _child_public_id(obj):
    if obj._meta.label_lower == "children.child":
        return obj.public_id
    child = getattr(obj, "child", None)
    return getattr(child, "public_id", None)


class AuditedAdminMixin:
    def _audit(self, request, action, obj, **detail):
        actor = getattr(request, "actor", None)
        audit_record(
            acting_user=request.user,
            role=(actor.role if actor and actor.role else "platform_admin"),
            action=action,
            object_type=obj._meta.label_lower,
            object_id=str(getattr(obj, "public_id", obj.pk)),
            local_authority_id=getattr(obj, "local_authority_id", None),
            child_public_id=_child_public_id(obj),
            detail={"via": "admin", **detail},
        )

    def change_view(self, request, object_id, form_url="", extra_context=None):
        obj = self.get_object(request, object_id)
        if obj is not None and request.method == "GET":
            self._audit(request, "view", obj)
        return super().change_view(request, object_id, form_url, extra_context)

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        self._audit(
            request, "update" if change else "create", obj, fields=sorted(form.changed_data)
        )

    def delete_model(self, request, obj):
        self._audit(request, "delete", obj)
        super().delete_model(request, obj)

    def save_formset(self, request, form, formset, change):
        parent = form.instance
        instances = formset.save(commit=False)
        for instance in instances:
            if hasattr(instance, "local_authority_id") and hasattr(parent, "local_authority_id"):
                instance.local_authority_id = parent.local_authority_id
            instance.save()
            self._audit(request, "update" if instance.pk else "create", instance)
        for obj in formset.deleted_objects:
            self._audit(request, "delete", obj)
            obj.delete()
        formset.save_m2m()
