"""Who may do what in coordination: the role sets and refusal messages of each part, read by
its selectors, services, pages and API alike."""

from govhall.accounts.models import Role

# ── 信息沟通 (notices) ──
# Who composes what. The district office sends notices down to the halls;
# a branch manager sends reports up to the district office. Reading is for the
# recipients; tracking (who has not read or replied, reminders, export) is for
# the sender and whoever holds the sender's composing role at the sender's center.

NOTICE_COMPOSE = {"down": {Role.DISTRICT_ADMIN}, "up": {Role.BRANCH_MANAGER}}
NOTICE_HALL_ROLES = [Role.BRANCH_MANAGER, Role.CHIEF_REP, Role.CLERK]
NOTICE_NOT_FOUND = "没有找到该通知，或您无权查看。"
NOTICE_REFUSED_COMPOSE = "只有区政务办可以发通知，分中心负责人可以向区政务办报送报告。"
# ── 联席会议 (joint meetings) ──
# Who may convene and run meetings (the district office), who sees them (the invited
# halls' management and the district office) and who closes an action item (its owner:
# the hall's manager, the department's leader, or the person).


MEETING_NOT_FOUND = "没有找到该会议，或您无权查看。"
ACTION_ITEM_NOT_FOUND = "没有找到该议定事项，或您无权查看。"
MEETING_TABLE = {
    "convene": {Role.DISTRICT_ADMIN},
    "view": {Role.DISTRICT_ADMIN, Role.BRANCH_MANAGER, Role.DEPARTMENT_LEADER, Role.CHIEF_REP},
}
MEETING_REFUSED = {
    "convene": "只有区政务办可以召集联席会议、登记出席和纪要、录入议定事项。",
    "view": "您的角色无权查看联席会议。",
}
# Who answers for an action item owned by a hall (or by a department: at its halls).
OWNER_ROLES = {Role.BRANCH_MANAGER, Role.DEPARTMENT_LEADER}


# ── 帮办代办 (help requests) ──
# Who may record, manage and handle help requests. Hall staff record them at the desk;
# the hall's manager and the district office see all of a hall's and assign; a helper
# sees and handles the ones assigned to them.


HELP_STAFF = {Role.CLERK, Role.CHIEF_REP, Role.BRANCH_MANAGER, Role.DISTRICT_ADMIN}
HELP_MANAGE = {Role.BRANCH_MANAGER, Role.DISTRICT_ADMIN}
HELP_TABLE = {
    "record": HELP_STAFF,
    "manage": HELP_MANAGE,
}
HELP_REFUSED = {
    "record": "只有本大厅工作人员可以登记帮办代办。",
    "manage": "只有大厅负责人和区政务办可以分派帮办代办。",
}
HELP_NOT_FOUND = "没有找到该帮办代办记录，或您无权查看。"
