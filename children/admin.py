from django.contrib import admin

from .models import Allocation, Child, ChildAccessGrant, Enrolment, Placement, School


@admin.register(School)
class SchoolAdmin(admin.ModelAdmin):
    list_display = ["name", "urn", "phase", "type", "la_code", "postcode"]
    list_filter = ["phase", "type"]
    search_fields = ["name", "urn", "postcode"]


class EnrolmentInline(admin.TabularInline):
    model = Enrolment
    extra = 0
    fields = ["school", "start_date", "end_date"]
    raw_id_fields = ["school"]


class PlacementInline(admin.TabularInline):
    model = Placement
    extra = 0
    fields = ["placement_type", "start_date", "end_date"]


class AllocationInline(admin.TabularInline):
    model = Allocation
    extra = 0
    fields = ["kind", "worker", "start_date", "end_date"]
    raw_id_fields = ["worker"]


@admin.register(Child)
class ChildAdmin(admin.ModelAdmin):
    list_display = ["legal_last_name", "legal_first_name", "local_authority", "date_of_birth", "upn"]
    list_filter = ["local_authority", "sen_status", "is_uasc"]
    search_fields = ["legal_last_name", "legal_first_name", "preferred_name", "upn"]
    readonly_fields = ["public_id", "created_at", "updated_at"]
    inlines = [EnrolmentInline, PlacementInline, AllocationInline]


@admin.register(ChildAccessGrant)
class ChildAccessGrantAdmin(admin.ModelAdmin):
    list_display = ["content_object", "user", "granted_by", "expires_on", "revoked_at"]
    raw_id_fields = ["content_object", "user", "granted_by", "revoked_by", "school"]
