"""The texts of the accounts room (sign-in, first-admin setup, users, own password), in
English and Simplified Chinese. zh-CN: a translation for the site to review."""

from __future__ import annotations

from trialdesk.study.texts import Text

__all__ = ["ROLES", "TEXTS"]

TEXTS: dict[str, Text] = {
    # own password
    "password_title": Text("Change your password", "修改密码"),
    "password_intro": Text(
        "Type your current password to prove it is you, then the new one twice. Your other "
        "sessions are signed out.",
        "请输入当前密码以确认身份，然后输入两次新密码。您在其他设备上的登录将被注销。",
    ),
    "current_password": Text("Current password", "当前密码"),
    "new_password": Text("New password (at least 12 characters)", "新密码（至少12个字符）"),
    "new_password_again": Text("New password again", "再次输入新密码"),
    "change_button": Text("Change the password", "修改密码"),
    "changed": Text("Your password was changed.", "密码已修改。"),
    "not_changed": Text("The password was not changed", "密码未修改"),
    "my_password": Text("Change my password", "修改我的密码"),
    # first-admin setup
    "setup_title": Text("Create the first administrator", "创建首个管理员"),
    "setup_intro": Text(
        "This link works once. The account you create here manages every other account.",
        "此链接仅可使用一次。在此创建的账户将管理所有其他账户。",
    ),
    "setup_unusable": Text("This setup link cannot be used", "此设置链接无法使用"),
    "setup_sign_in": Text("Go to sign in", "前往登录"),
    "setup_done_title": Text("Administrator created", "管理员已创建"),
    "setup_done": Text(
        "The administrator account was created. Sign in with it to add the other staff.",
        "管理员账户已创建。请用该账户登录以添加其他工作人员。",
    ),
    "username": Text("Username", "用户名"),
    "full_name": Text("Full name (printed on signatures)", "全名（签名时显示的印刷体姓名）"),
    "password": Text("Password (at least 12 characters)", "密码（至少12个字符）"),
    "password_again": Text("Password again", "再次输入密码"),
    "create_admin": Text("Create administrator", "创建管理员"),
    # users admin
    "role": Text("Role", "角色"),
    "choose_role": Text("choose a role…", "请选择角色…"),
    "full_name_needed": Text(
        "give the full name printed on their signatures", "请填写签名时显示的全名"
    ),
    "role_needed": Text("choose a role", "请选择角色"),
}

# Roles, least privileged first (the order the role picker offers them in).
ROLES: dict[str, Text] = {
    "monitor": Text("monitor (reads and verifies; changes nothing)", "监查员（只读与核查）"),
    "coordinator": Text("coordinator", "研究协调员"),
    "data_manager": Text("data manager", "数据管理员"),
    "investigator": Text("investigator (signs)", "研究者（可签名）"),
    "admin": Text("admin (manages accounts)", "管理员（管理账户）"),
}
