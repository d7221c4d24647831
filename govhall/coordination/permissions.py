# --- help18 ---
"""帮办代办: who may record, manage and handle help requests. Hall staff record them at
the desk; the hall's manager and the district office see all of a hall's and assign;
a helper sees and handles the ones assigned to them."""

from govhall.accounts.models import Role as _HelpRole  # noqa: E402

HELP_STAFF = {_HelpRole.CLERK, _HelpRole.CHIEF_REP, _HelpRole.BRANCH_MANAGER, _HelpRole.DISTRICT_ADMIN}
HELP_MANAGE = {_HelpRole.BRANCH_MANAGER, _HelpRole.DISTRICT_ADMIN}
HELP_TABLE = {
    "record": HELP_STAFF,
    "manage": HELP_MANAGE,
}
HELP_REFUSED = {
    "record": "只有本大厅工作人员可以登记帮办代办。",
    "manage": "只有大厅负责人和区政务办可以分派帮办代办。",
}
HELP_NOT_FOUND = "没有找到该帮办代办记录，或您无权查看。"
