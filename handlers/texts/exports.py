"""Texts every workbook shares: the period row, totals, and the answer when nothing is in it."""

ZH = {
    "exports.empty": "{title}（{period}）没有任何记录，所以没有生成文件。可以换一个期间再试。",
    "exports.period": "期间：{first} 至 {last}",
    "exports.period_day": "期间：{day}",
    "exports.total": "合计（{n} 项）",
    "exports.subtotal": "小计（{unit}）",
    "exports.none": "本期没有记录。",
}

EN = {
    "exports.empty": "{title} ({period}) has no records, so no file was made. Try another period.",
    "exports.period": "Period: {first} to {last}",
    "exports.period_day": "Period: {day}",
    "exports.total": "Total ({n} lines)",
    "exports.subtotal": "Subtotal ({unit})",
    "exports.none": "No records in this period.",
}
