"""The texts the data manager reads on the exports page, in English and Simplified Chinese.
zh-CN: a translation for the site to review.

ASSUMPTIONS are the protocol assumptions every export makes whatever the study (the
study's own, such as its schedule and endpoints, are read from its folder); each names the
module where it is made, so the page and the code cannot drift apart unseen."""

from __future__ import annotations

from trialdesk.study.texts import Text

__all__ = ["ASSUMPTIONS", "TEXTS"]

TEXTS: dict[str, Text] = {
    "title": Text("Data exports", "数据导出"),
    "intro": Text(
        "The CDISC submission package, built from the trial store when you download it: "
        "every participant and screen failure, as the data stand now. Each archive holds "
        "the datasets, define.xml (Define-XML 2.1, checked against its schema) and "
        "define.html.",
        "CDISC递交数据包，在下载时由试验数据库生成：包含全部受试者及筛选失败者的当前数据。"
        "每个压缩包含数据集、define.xml（Define-XML 2.1，已按其模式校验）和define.html。",
    ),
    "locked": Text(
        "The database is locked: the package is the locked data.",
        "数据库已锁定：数据包即为锁定的数据。",
    ),
    "open": Text(
        "The database is not locked: the data may still change. Export after the lock for "
        "the submission.",
        "数据库未锁定：数据仍可能变化。用于递交时请在锁定后导出。",
    ),
    "sdtm": Text("SDTM tabulation datasets", "SDTM制表数据集"),
    "sdtm_holds": Text(
        "Trial design (TA, TE, TV, TI, TS), subjects and their visits (DM, SE, SV), "
        "interventions (EX, CM), events (AE, DS, DV, MH), eligibility (IE), the findings "
        "the forms collect, and SUPP-- datasets where a value has no standard variable. A "
        "dataset with no records is left out (FDA Technical Conformance Guide 4.1.1.1).",
        "试验设计（TA、TE、TV、TI、TS）、受试者及其访视（DM、SE、SV）、干预（EX、CM）、事件"
        "（AE、DS、DV、MH）、入选/排除（IE）、表单收集的检查结果，以及无标准变量可容纳的值所用的"
        "SUPP--数据集。无记录的数据集不输出（FDA技术一致性指南4.1.1.1）。",
    ),
    "findings": Text("Findings domains of this study", "本研究的检查结果域"),
    "adam": Text("ADaM analysis datasets", "ADaM分析数据集"),
    "adam_holds": Text(
        "ADSL (one record per subject, populations), ADAE (treatment-emergent flag, worst "
        "grade), ADLB (CTCAE grades, shift from baseline) and ADEFF (the efficacy scores in "
        "analysis windows, baseline, change), derived from the same SDTM datasets.",
        "ADSL（每名受试者一条记录，分析人群）、ADAE（治疗期出现标记、最严重分级）、ADLB（CTCAE"
        "分级、相对基线的变化）和ADEFF（分析窗口内的疗效评分、基线、变化），均由同一套SDTM数据集"
        "派生。",
    ),
    "xpt": Text("Download as SAS XPT v5 (zip)", "下载SAS XPT v5格式（zip）"),
    "json": Text("Download as Dataset-JSON 1.1 (zip)", "下载Dataset-JSON 1.1格式（zip）"),
    "conventions": Text("Conventions", "约定"),
    "standards": Text("Standards", "标准"),
    "ct": Text("Controlled terminology", "受控术语"),
    "usubjid": Text(
        "USUBJID is the study id and the subject number joined by a hyphen; study days "
        "count from day 1, the day of the injection, with no day 0; dates are in site time.",
        "USUBJID为研究编号与受试者编号以连字符相连；研究日从第1天（注射日）起计，无第0天；日期"
        "按研究中心当地时间。",
    ),
    "sponsor_defined": Text(
        "Sponsor-defined tests (no CDISC controlled term)", "申办方定义的检查（无CDISC受控术语）"
    ),
    "assumptions": Text("Protocol assumptions", "方案假设"),
    "assumptions_intro": Text(
        "Where the registry and the standards are silent, the export assumes the following, "
        "for the site and the sponsor to confirm.",
        "在注册信息与标准均未规定之处，导出基于以下假设，需由研究中心和申办方确认。",
    ),
    "schedule": Text("Visit schedule and windows", "访视计划与时间窗"),
    "endpoint": Text("Endpoint", "终点"),
    "source": Text("Source", "来源"),
}

ASSUMPTIONS: tuple[Text, ...] = (
    Text(
        "A screen failure has no subject number: SUBJID is SF- and the screening log's "
        "candidate number (reports/cdisc/sdtm/source.py).",
        "筛选失败者无受试者编号：SUBJID为SF-加筛选日志中的候选者编号"
        "（reports/cdisc/sdtm/source.py）。",
    ),
    Text(
        "With no MedDRA dictionary loaded, AEDECOD and AEBODSYS are the CTCAE v5.0 terms "
        "and their system organ classes, which are MedDRA 20.1 lowest level terms "
        "(reports/cdisc/define/build.py).",
        "未加载MedDRA词典时，AEDECOD和AEBODSYS采用CTCAE v5.0术语及其系统器官分类，即MedDRA "
        "20.1最低位语（reports/cdisc/define/build.py）。",
    ),
    Text(
        "The baseline visit's measurements are taken before the injection on day 1 "
        "(--LOBXFL; reports/cdisc/sdtm/findings.py).",
        "基线访视的测量在第1天注射前进行（--LOBXFL；reports/cdisc/sdtm/findings.py）。",
    ),
    Text(
        "The ADaM analysis windows are the schedule's visit windows; of two records "
        "equally near a window's target, the later is the one analysed (ANL01FL; "
        "reports/cdisc/adam/bds.py).",
        "ADaM分析时间窗即访视计划的访视时间窗；若两条记录距时间窗目标日同样近，取较晚者进入分析"
        "（ANL01FL；reports/cdisc/adam/bds.py）。",
    ),
)
