#include "exchange/ExchangeFormat.h"

#include <array>

namespace dust {

namespace {

constexpr std::array kFormats{ExchangeFormat::Nested, ExchangeFormat::Ndjson, ExchangeFormat::Flat,
                              ExchangeFormat::Csv};

} // namespace

QString exchangeFormatName(ExchangeFormat format)
{
    switch (format) {
    case ExchangeFormat::Nested:
        return QStringLiteral("json");
    case ExchangeFormat::Ndjson:
        return QStringLiteral("ndjson");
    case ExchangeFormat::Flat:
        return QStringLiteral("flat");
    case ExchangeFormat::Csv:
        return QStringLiteral("csv");
    }
    return {};
}

std::optional<ExchangeFormat> exchangeFormatFromName(QStringView name)
{
    if (name.compare(QLatin1String("jsonl"), Qt::CaseInsensitive) == 0)
        return ExchangeFormat::Ndjson;
    for (ExchangeFormat format : kFormats) {
        if (name.compare(exchangeFormatName(format), Qt::CaseInsensitive) == 0)
            return format;
    }
    return std::nullopt;
}

QStringList exchangeFormatNames()
{
    QStringList names;
    for (ExchangeFormat format : kFormats)
        names << exchangeFormatName(format);
    return names;
}

QString exchangeFormatSuffix(ExchangeFormat format)
{
    switch (format) {
    case ExchangeFormat::Ndjson:
        return QStringLiteral("ndjson");
    case ExchangeFormat::Csv:
        return QStringLiteral("csv");
    case ExchangeFormat::Nested:
    case ExchangeFormat::Flat:
        return QStringLiteral("json");
    }
    return {};
}

} // namespace dust
