"""The texts of the error page, in English and Simplified Chinese.
zh-CN: a translation for the site to review."""

from __future__ import annotations

from trialdesk.study.texts import Text

__all__ = ["ERROR_TEXTS", "TITLES"]

# The page's heading for each status; others get "There was a problem".
TITLES: dict[int, Text] = {
    400: Text("Something in the request was not right", "请求中有内容不正确"),
    403: Text("You can't do that", "您无权进行此操作"),
    404: Text("Page not found", "找不到该页面"),
    405: Text("You can't do that here", "此处不能进行该操作"),
    409: Text("Someone changed this meanwhile", "此内容已被他人修改"),
    413: Text("That was too large", "内容过大"),
    415: Text("That kind of content is not accepted", "不接受该类型的内容"),
    422: Text("Something in the form was not right", "表单中有内容不正确"),
    429: Text("Too many requests", "请求过多"),
    500: Text("Something went wrong", "出现错误"),
}

ERROR_TEXTS: dict[str, Text] = {
    "other": Text("There was a problem", "出现问题"),
    "concerns": Text("It concerns: {field}", "涉及：{field}"),
    "moved": Text(
        "The address may be mistyped, or the page may have moved.",
        "地址可能输入有误，或页面已移动。",
    ),
    "reload": Text(
        "Reload the page to see the record as it is now, then decide again.",
        "请刷新页面查看记录的当前状态，然后重新决定。",
    ),
    "wait": Text("Please wait a minute and try again.", "请稍候一分钟再试。"),
    "not_you": Text(
        "It is not your fault. Please try again in a few minutes.",
        "这不是您的错误。请几分钟后再试。",
    ),
    "home": Text("Go to the list of studies", "前往研究列表"),
    "staff_home": Text("Go to the staff home page", "前往工作人员首页"),
    "status": Text("Error {status}", "错误 {status}"),
}
