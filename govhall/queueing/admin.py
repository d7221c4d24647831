from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from .models import Appointment, AppointmentSlot, HallRules, Queue, Ticket, Window


@admin.register(Queue)
class QueueAdmin(SimpleHistoryAdmin):
    list_display = ["center", "letter", "name", "is_active"]
    list_filter = ["center"]


@admin.register(Window)
class WindowAdmin(SimpleHistoryAdmin):
    list_display = ["center", "number", "name", "status", "clerk"]
    list_filter = ["center", "status"]


@admin.register(HallRules)
class HallRulesAdmin(SimpleHistoryAdmin):
    list_display = ["center", "priority_run", "booking_horizon_days"]


@admin.register(Ticket)
class TicketAdmin(SimpleHistoryAdmin):
    list_display = ["code", "center", "day", "kind", "status", "window"]
    list_filter = ["center", "day", "status", "kind"]
    exclude = ["phone"]


@admin.register(AppointmentSlot)
class SlotAdmin(SimpleHistoryAdmin):
    list_display = ["center", "queue", "date", "starts", "ends", "capacity", "booked"]


@admin.register(Appointment)
class AppointmentAdmin(SimpleHistoryAdmin):
    list_display = ["center", "queue", "date", "status"]
    exclude = ["id_number", "phone"]
