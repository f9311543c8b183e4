#include "edit/JsonInput.h"

#include "protocol/StrictJson.h"

#include <QCoreApplication>
#include <QJsonArray>
#include <QJsonDocument>

namespace dust::jsoninput {

QString position(const QByteArray &utf8, qsizetype offset)
{
    offset = std::clamp<qsizetype>(offset, 0, utf8.size());
    const QByteArrayView before(utf8.constData(), offset);
    const qsizetype lineStart = before.lastIndexOf('\n') + 1;
    const int line = int(before.count('\n')) + 1;
    const int column =
        int(QString::fromUtf8(utf8.constData() + lineStart, offset - lineStart).size()) + 1;
    return QCoreApplication::translate("dust::jsoninput", "line %1, column %2")
        .arg(line)
        .arg(column);
}

Expected<QJsonValue, QString> parse(const QString &text)
{
    const QByteArray utf8 = text.toUtf8();
    const StrictJson::Result checked = StrictJson::validate(utf8);
    if (!checked) {
        QString why = checked.message();
        // "invalid JSON at byte 12: reason" -> the reason after the position.
        const qsizetype colon = why.indexOf(QLatin1String(": "));
        if (colon >= 0)
            why = why.mid(colon + 2);
        if (checked.problem == StrictJson::Problem::Empty)
            return Expected<QJsonValue, QString>::failure(
                QCoreApplication::translate("dust::jsoninput", "Type a JSON value."));
        return Expected<QJsonValue, QString>::failure(
            QCoreApplication::translate("dust::jsoninput", "Not JSON at %1: %2")
                .arg(position(utf8, checked.offset), why));
    }
    // QJsonDocument reads only objects and arrays at the top: wrap the value in an array.
    QJsonParseError error{};
    const QJsonDocument document = QJsonDocument::fromJson('[' + utf8 + ']', &error);
    if (error.error != QJsonParseError::NoError || !document.isArray())
        return Expected<QJsonValue, QString>::failure(
            QCoreApplication::translate("dust::jsoninput", "Not JSON at %1: %2")
                .arg(position(utf8, error.offset - 1), error.errorString()));
    return document.array().at(0);
}

} // namespace dust::jsoninput
