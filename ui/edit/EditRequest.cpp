#include "edit/EditRequest.h"

#include <QCoreApplication>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QLocale>

namespace dust {

namespace {

QString compactJson(const QJsonValue &value)
{
    // QJsonDocument holds only objects and arrays: wrap a scalar and strip the brackets.
    const QByteArray text = QJsonDocument(QJsonArray{value}).toJson(QJsonDocument::Compact);
    return QString::fromUtf8(text.mid(1, text.size() - 2));
}

QString cut(const QString &text, int maxChars)
{
    if (maxChars <= 0 || text.size() <= maxChars)
        return text;
    return text.left(maxChars) + QChar(0x2026);
}

QString tr(const char *text)
{
    return QCoreApplication::translate("dust::EditRequest", text);
}

} // namespace

QString EditRequest::opName() const
{
    switch (kind) {
    case Kind::Set:
        return QStringLiteral("set");
    case Kind::Delete:
        return QStringLiteral("delete");
    case Kind::Merge:
        return QStringLiteral("merge");
    case Kind::Increment:
        return QStringLiteral("increment");
    case Kind::AddMember:
        return QStringLiteral("add");
    case Kind::RemoveMember:
        return QStringLiteral("remove");
    case Kind::LeaseRenew:
        return QStringLiteral("renew");
    case Kind::LeaseRelease:
        return QStringLiteral("release");
    case Kind::PutFile:
        return QStringLiteral("put_file");
    case Kind::PutTyped:
        return QStringLiteral("import");
    }
    return {};
}

QString EditRequest::summary(int maxValueChars) const
{
    QString text = opName() + QLatin1Char(' ') + path.rendered();
    switch (kind) {
    case Kind::Set:
    case Kind::Merge:
        text += QStringLiteral(" = ") + cut(compactJson(value), maxValueChars);
        break;
    case Kind::Increment: {
        const double delta = value.toDouble();
        text += delta < 0 ? QStringLiteral(" by ") + compactJson(value)
                          : QStringLiteral(" by +") + compactJson(value);
        break;
    }
    case Kind::AddMember:
    case Kind::RemoveMember:
        text += QLatin1Char(' ') + cut(compactJson(value), maxValueChars);
        break;
    case Kind::LeaseRenew:
        text += tr(" (token %1, for %2 ms)").arg(leaseToken).arg(leaseTtlMs);
        break;
    case Kind::LeaseRelease:
        text += tr(" (token %1)").arg(leaseToken);
        break;
    case Kind::PutFile:
        text += tr(" = file %1 (%2)")
                    .arg(fileName.isEmpty() ? tr("without a name") : fileName,
                         QLocale().formattedDataSize(fileContent.size()));
        break;
    case Kind::PutTyped:
        text += QStringLiteral(" = ") + cut(compactJson(value), maxValueChars) +
                tr(" as %1").arg(valueType);
        break;
    case Kind::Delete:
        break;
    }
    if (ifMatch)
        text += tr(" (if revision %1)").arg(*ifMatch);
    else if (ifAbsent)
        text += tr(" (if absent)");
    return text;
}

} // namespace dust
