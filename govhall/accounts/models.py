import hashlib
import secrets

from django.contrib.auth.models import AbstractUser
from django.db import models
from django.utils import timezone
from simple_history.models import HistoricalRecords

from govhall.core.fields import EncryptedCharField, EncryptedModelMixin, LookupHashField
from govhall.core.masking import mask_phone, mask_username
from govhall.core.models import TimeStamped


class Role(models.TextChoices):
    APPLICANT = "applicant", "办事群众/企业"
    CLERK = "clerk", "窗口工作人员"
    CHIEF_REP = "chief_rep", "首席代表"
    BRANCH_MANAGER = "branch_manager", "分中心负责人"
    DEPARTMENT_LEADER = "department_leader", "分管班子成员"
    DISTRICT_ADMIN = "district_admin", "区政务办"
    APPROVER = "approver", "区政府审批"
    API_CLIENT = "api_client", "接口客户端"


STAFF_ROLES = {
    Role.CLERK,
    Role.CHIEF_REP,
    Role.BRANCH_MANAGER,
    Role.DEPARTMENT_LEADER,
    Role.DISTRICT_ADMIN,
    Role.APPROVER,
}
# These roles see every center of their district, wherever they are assigned.
DISTRICT_WIDE_ROLES = {Role.DISTRICT_ADMIN, Role.APPROVER}


class User(EncryptedModelMixin, AbstractUser):
    """A person (or a system account) who logs in. What they may do comes from
    their role assignments, each tied to a center."""

    full_name = models.CharField("姓名", max_length=50, blank=True)
    phone = EncryptedCharField("手机号", max_length=20, blank=True)  # encrypted at rest (core.fields)
    phone_hash = LookupHashField(source="phone", db_index=True)
    is_demo = models.BooleanField("演示数据", default=False)
    # Shown on the window's rating pad (评价器): who serves here now.
    staff_number = models.CharField("工号", max_length=20, blank=True)
    photo = models.FileField("照片", upload_to="staff/photos/", blank=True)
    history = HistoricalRecords(excluded_fields=["password", "last_login"])

    class Meta:
        verbose_name = "用户"
        verbose_name_plural = "用户"

    def __str__(self):
        return self.full_name or self.username

    @property
    def display_name(self) -> str:
        return self.full_name or self.masked_username

    @property
    def initial(self) -> str:
        """The first character of the name: the pad's placeholder when there is no photo."""
        return (self.full_name or self.username or "?")[:1]

    @property
    def masked_username(self) -> str:
        """The user name as lists and exports show it: a citizen's is their phone, masked."""
        return mask_username(self.username)

    @property
    def masked_phone(self) -> str:
        """The phone as lists and exports show it (138****5678)."""
        return mask_phone(self.phone)


class RoleAssignment(TimeStamped):
    """A user holds `role` at `center`. A person may hold several."""

    user = models.ForeignKey(
        User, on_delete=models.CASCADE, related_name="role_assignments", verbose_name="用户"
    )
    role = models.CharField("角色", max_length=30, choices=Role.choices)
    center = models.ForeignKey(
        "centers.Center", on_delete=models.PROTECT, related_name="role_assignments", verbose_name="所属中心"
    )
    history = HistoricalRecords()

    class Meta:
        verbose_name = "角色分配"
        verbose_name_plural = "角色分配"
        constraints = [
            models.UniqueConstraint(fields=["user", "role", "center"], name="unique_role_per_center")
        ]

    def __str__(self):
        return f"{self.user} · {self.get_role_display()} · {self.center}"


class ApiToken(TimeStamped):
    """A bearer token for another system, issued by the district office and
    limited to some centers. Only a hash of the key is stored."""

    name = models.CharField("名称", max_length=100)
    user = models.ForeignKey(User, on_delete=models.PROTECT, related_name="api_tokens", verbose_name="账号")
    centers = models.ManyToManyField("centers.Center", related_name="api_tokens", verbose_name="限定中心")
    prefix = models.CharField("前缀", max_length=12, unique=True)
    key_hash = models.CharField(max_length=64, unique=True)
    issued_by = models.ForeignKey(User, on_delete=models.PROTECT, related_name="+", verbose_name="签发人")
    expires_at = models.DateTimeField("到期时间", null=True, blank=True)
    revoked_at = models.DateTimeField("吊销时间", null=True, blank=True)
    last_used_at = models.DateTimeField("最近使用", null=True, blank=True)
    history = HistoricalRecords(excluded_fields=["key_hash", "last_used_at"])

    class Meta:
        verbose_name = "接口令牌"
        verbose_name_plural = "接口令牌"

    def __str__(self):
        return f"{self.name} ({self.prefix}…)"

    @staticmethod
    def hash_key(key: str) -> str:
        return hashlib.sha256(key.encode()).hexdigest()

    @staticmethod
    def new_key() -> str:
        return "gh_" + secrets.token_urlsafe(32)

    @property
    def is_active(self) -> bool:
        now = timezone.now()
        return self.revoked_at is None and (self.expires_at is None or self.expires_at > now)


# --- citizens: the portal's applicants ------------------------------------------


class CitizenAccount(EncryptedModelMixin, TimeStamped):
    """The portal account of an applicant: a login (username = phone) whose
    phone was verified by an SMS code."""

    user = models.OneToOneField(User, on_delete=models.CASCADE, related_name="citizen", verbose_name="用户")
    phone = EncryptedCharField("手机号", max_length=20)  # encrypted; unique through the hash
    phone_hash = LookupHashField(source="phone", unique=True)
    verified_at = models.DateTimeField("验证时间", null=True, blank=True)

    class Meta:
        db_table = "cases_citizenaccount"  # kept from when it lived in the cases app
        verbose_name = "群众账号"
        verbose_name_plural = verbose_name

    def __str__(self):
        return mask_phone(self.phone)


class SmsCode(models.Model):
    """A verification code sent by SMS. Only a hash is kept; it expires and
    allows a few attempts."""

    phone = models.CharField(max_length=20, db_index=True)
    purpose = models.CharField(max_length=20, default="register")
    code_hash = models.CharField(max_length=64)
    created_at = models.DateTimeField(auto_now_add=True)
    used_at = models.DateTimeField(null=True, blank=True)
    attempts = models.PositiveSmallIntegerField(default=0)

    class Meta:
        db_table = "cases_smscode"  # kept from when it lived in the cases app
        ordering = ["-created_at"]

    def __str__(self):
        return f"{mask_phone(self.phone)} {self.purpose}"


class PasswordHistory(models.Model):
    """A hash of a password a person set (等保: no reuse of the last 5). The
    system's own row, kept to the newest five per person and never shown; the
    change itself is recorded in the person's history (without the password)."""

    KEEP = 5

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="password_history")
    password_hash = models.CharField(max_length=256)
    set_at = models.DateTimeField(default=timezone.now, db_index=True)

    class Meta:
        ordering = ["-set_at", "-pk"]
        verbose_name = "历史密码"
        verbose_name_plural = verbose_name

    def __str__(self):
        return f"{self.user_id} @ {self.set_at:%Y-%m-%d}"
