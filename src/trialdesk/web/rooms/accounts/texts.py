"""The texts of the accounts room (sign-in and its second step, first-admin setup, users,
own password, second factor), in English and Simplified Chinese. zh-CN: a translation for
the site to review."""

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
    # the page title's prefix when a form was refused
    "error_prefix": Text("Error: ", "错误："),
    # sign-in
    "login_title": Text("Staff sign in", "工作人员登录"),
    "login_password": Text("Password", "密码"),
    "sign_in": Text("Sign in", "登录"),
    "lockout_note": Text(
        "Five wrong passwords or codes in a row lock the account for 15 minutes.",
        "连续五次输入错误的密码或验证码，账户将被锁定15分钟。",
    ),
    "wrong_login": Text("wrong username or password", "用户名或密码错误"),
    "locked": Text(
        "this account is locked after repeated failed sign-ins; try again after {until} UTC "
        "or ask an administrator to reset the password",
        "该账户因多次登录失败已被锁定；请在 UTC 时间 {until} 之后重试，或请管理员重置密码",
    ),
    "disabled": Text(
        "this account is disabled; ask an administrator", "该账户已停用；请联系管理员"
    ),
    # sign-in, second step
    "code_title": Text("Enter your code", "输入验证码"),
    "code_intro": Text(
        "Your password was right. Open the authenticator app on your phone and type the "
        "6-digit code it shows for trialdesk ({username}).",
        "密码正确。请打开手机上的身份验证器应用，输入其为 trialdesk（{username}）显示的6位验证码。",
    ),
    "code_label": Text("Code from the app", "应用中的验证码"),
    "code_recovery_hint": Text(
        "Lost your phone? Type one of your recovery codes instead; each works once.",
        "手机丢失？请改为输入一个恢复码；每个恢复码只能使用一次。",
    ),
    "code_button": Text("Verify and sign in", "验证并登录"),
    "code_start_again": Text("Start again", "重新登录"),
    "wrong_code": Text(
        "the code is not correct (or was used already): try the current one",
        "验证码不正确（或已被使用）：请输入当前显示的验证码",
    ),
    "sign_in_expired": Text(
        "this sign-in has expired or was already used: enter your username and password again",
        "此次登录已过期或已完成：请重新输入用户名和密码",
    ),
    # second factor, the user's own page
    "sf_title": Text("Two-step sign-in", "两步登录"),
    "sf_link": Text("Two-step sign-in (authenticator app)", "两步登录（身份验证器应用）"),
    "sf_intro": Text(
        "With two-step sign-in, signing in asks for your password and then a 6-digit code "
        "from an authenticator app on your phone (any app that supports TOTP, such as "
        "Microsoft Authenticator, Google Authenticator or FreeOTP). Someone who learns your "
        "password still cannot sign in as you. Signing records keeps asking only your "
        "password.",
        "启用两步登录后，登录时需先输入密码，再输入手机身份验证器应用（任何支持 TOTP 的应用，如 "
        "Microsoft Authenticator、Google Authenticator 或 FreeOTP）生成的6位验证码。即使他人"
        "得知您的密码，也无法以您的身份登录。电子签名时仍只需输入密码。",
    ),
    "sf_off": Text("Two-step sign-in is off.", "两步登录未启用。"),
    "sf_start": Text("Set up an authenticator app", "设置身份验证器应用"),
    "sf_on": Text("Two-step sign-in is on (since {since}).", "两步登录已启用（自 {since} 起）。"),
    "sf_codes_left": Text("Recovery codes left: {count}", "剩余恢复码：{count}"),
    "sf_scan": Text(
        "1. Scan this QR code with your authenticator app.",
        "1. 用身份验证器应用扫描此二维码。",
    ),
    "sf_qr_alt": Text(
        "QR code to add trialdesk ({username}) to an authenticator app",
        "用于将 trialdesk（{username}）添加到身份验证器应用的二维码",
    ),
    "sf_key": Text(
        "Cannot scan? Type this key into the app instead (time-based, 6 digits, 30 seconds):",
        "无法扫描？请在应用中手动输入此密钥（基于时间、6位、30秒）：",
    ),
    "sf_confirm_intro": Text(
        "2. Type the 6-digit code the app now shows, to prove it works.",
        "2. 输入应用当前显示的6位验证码，以确认设置成功。",
    ),
    "sf_confirm": Text("Turn on two-step sign-in", "启用两步登录"),
    "sf_codes_title": Text("Your recovery codes", "您的恢复码"),
    "sf_codes_intro": Text(
        "Keep these codes somewhere safe, apart from your phone (printed, or in a password "
        "manager). Each signs you in once if you lose the phone. They are shown now and "
        "never again.",
        "请将这些恢复码妥善保存在手机以外的地方（打印出来，或存入密码管理器）。手机丢失时，每个恢复码"
        "可用于登录一次。它们只在此显示一次，之后不再显示。",
    ),
    "sf_codes_done": Text("I have kept them", "我已妥善保存"),
    "sf_renew_title": Text("New recovery codes", "生成新的恢复码"),
    "sf_renew_intro": Text(
        "Ten new codes replace all the old ones. Type a code from the app to confirm.",
        "十个新的恢复码将取代所有旧恢复码。请输入应用中的验证码以确认。",
    ),
    "sf_renew": Text("Make new recovery codes", "生成新的恢复码"),
    "sf_off_title": Text("Turn two-step sign-in off", "关闭两步登录"),
    "sf_off_intro": Text(
        "Type your password and a code from the app (or a recovery code).",
        "请输入您的密码，以及应用中的验证码（或一个恢复码）。",
    ),
    "sf_turn_off": Text("Turn it off", "关闭"),
    "sf_password": Text("Your password", "您的密码"),
    "sf_code": Text("Code", "验证码"),
    "sf_not_done": Text("Nothing was changed", "未作任何更改"),
    "sf_turned_off": Text("Two-step sign-in was turned off.", "两步登录已关闭。"),
    "sf_no_key": Text(
        "Two-step sign-in cannot be set up yet: this server has no audit key to protect "
        "the app's secret with. Ask the administrator of the server to run "
        "'trialdesk audit key init'.",
        "暂时无法设置两步登录：此服务器尚无用于保护应用密钥的审计密钥。请服务器管理员运行 "
        "'trialdesk audit key init'。",
    ),
    "sf_wrong_code": Text(
        "the code is not correct (or was used already): type the code your authenticator "
        "app shows now",
        "验证码不正确（或已被使用）：请输入身份验证器应用当前显示的验证码",
    ),
    "sf_wrong_password": Text("your password is not correct", "您的密码不正确"),
    # own password, after an administrator's reset
    "must_change": Text(
        "An administrator reset your password. Choose a new one before you go on: type the "
        "temporary password you were given as the current one.",
        "管理员已重置您的密码。请先设置新密码再继续：将您收到的临时密码作为当前密码输入。",
    ),
    "continue": Text("Continue", "继续"),
    # users admin
    "users_title": Text("Users", "用户"),
    "col_username": Text("Username", "用户名"),
    "col_active": Text("Active", "状态"),
    "col_last": Text("Last sign-in", "最近登录"),
    "col_change": Text("Change", "修改"),
    "active": Text("active", "启用"),
    "disabled_badge": Text("disabled", "已停用"),
    "locked_until": Text("locked until {until}", "锁定至 {until}"),
    "badge_two_step": Text("two-step sign-in", "两步登录"),
    "badge_two_step_pending": Text("two-step sign-in being set up", "两步登录设置中"),
    "badge_must_change": Text("must change password", "须修改密码"),
    "role_of": Text("Role of {username}", "{username} 的角色"),
    "full_name_of": Text(
        "Full name of {username} (printed on signatures)", "{username} 的全名（签名时显示）"
    ),
    "full_name_placeholder": Text("Full name (on signatures)", "全名（签名时显示）"),
    "reason": Text("Reason for the change", "修改原因"),
    "save": Text("Save", "保存"),
    "add_user": Text("Add a user", "添加用户"),
    "initial_password": Text(
        "Initial password (at least 12 characters)", "初始密码（至少12个字符）"
    ),
    "must_change_at_first": Text(
        "Ask for a new password at the first sign-in", "首次登录时要求设置新密码"
    ),
    "reason_audit": Text("Reason (audit trail)", "原因（记入审计追踪）"),
    "add_button": Text("Add user", "添加用户"),
    "reset_password": Text("Reset password", "重置密码"),
    "temporary_password": Text(
        "Temporary password (blank: one is made for you)", "临时密码（留空则自动生成）"
    ),
    "reset_password_intro": Text(
        "They must choose a new password when they next sign in; every session of theirs ends now.",
        "该用户下次登录时必须设置新密码；其当前所有登录会话立即结束。",
    ),
    "reset_button": Text("Set the temporary password", "设置临时密码"),
    "reset_done": Text(
        "The password of {username} was reset. Give them this temporary password in person "
        "or by phone, not by e-mail; it is shown only now:",
        "{username} 的密码已重置。请当面或通过电话告知此临时密码，切勿使用电子邮件；"
        "它只在此显示一次：",
    ),
    "reset_done_typed": Text(
        "The password of {username} was reset to the temporary password you typed.",
        "{username} 的密码已重置为您输入的临时密码。",
    ),
    "reset_second_factor": Text("Reset two-step sign-in", "重置两步登录"),
    "reset_second_factor_intro": Text(
        "For someone who lost their phone and their recovery codes: their next sign-in asks "
        "only the password, and they can set up a new app.",
        "适用于手机和恢复码均已丢失的用户：其下次登录只需密码，并可重新设置身份验证器应用。",
    ),
    "reset_second_factor_button": Text("Reset their two-step sign-in", "重置其两步登录"),
    "second_factor_reset_done": Text(
        "The two-step sign-in of {username} was reset.", "{username} 的两步登录已重置。"
    ),
}

# Roles, least privileged first (the order the role picker offers them in).
ROLES: dict[str, Text] = {
    "monitor": Text("monitor (reads and verifies; changes nothing)", "监查员（只读与核查）"),
    "coordinator": Text("coordinator", "研究协调员"),
    "data_manager": Text("data manager", "数据管理员"),
    "investigator": Text("investigator (signs)", "研究者（可签名）"),
    "admin": Text("admin (manages accounts)", "管理员（管理账户）"),
}
