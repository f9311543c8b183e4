#include "TokenFile.h"

#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QRandomGenerator>

#include <array>

namespace dust::lite {

namespace {

constexpr QFileDevice::Permissions kPrivate = QFileDevice::ReadOwner | QFileDevice::WriteOwner;
constexpr QLatin1String kPrefix("dust_tok_");

bool isToken(const QString &text)
{
    if (!text.startsWith(kPrefix) || text.size() <= kPrefix.size())
        return false;
    for (const QChar c : text) {
        if (c.unicode() <= 0x20 || c.unicode() >= 0x7f)
            return false;
    }
    return true;
}

} // namespace

QString TokenFile::generate()
{
    std::array<quint32, 6> words{};
    QRandomGenerator::system()->fillRange(words.data(), qsizetype(words.size()));
    QString token = kPrefix;
    for (const quint32 word : words)
        token += QStringLiteral("%1").arg(word, 8, 16, QLatin1Char('0'));
    return token;
}

QString TokenFile::pathIn(const QString &dataDir)
{
    return QDir(dataDir).filePath(kFileName);
}

Expected<QString, QString> TokenFile::loadOrCreate(const QString &file)
{
    using Result = Expected<QString, QString>;
    QFile existing(file);
    if (existing.open(QIODevice::ReadOnly)) {
        const QString text = QString::fromUtf8(existing.readAll()).trimmed();
        existing.close();
        if (!text.isEmpty()) {
            if (!isToken(text))
                return Result::failure(
                    QStringLiteral("the token file %1 does not hold a dust_tok_ token; delete it "
                                   "to have a new token generated, or pass --token")
                        .arg(file));
            if ((QFileInfo(file).permissions() &
                 ~(kPrivate | QFileDevice::ReadUser | QFileDevice::WriteUser)) != 0 &&
                !QFile::setPermissions(file, kPrivate))
                return Result::failure(
                    QStringLiteral("cannot make the token file %1 private (mode 0600)").arg(file));
            return text;
        }
    } else if (QFileInfo::exists(file)) {
        return Result::failure(
            QStringLiteral("cannot read the token file %1: %2").arg(file, existing.errorString()));
    }

    if (!QDir().mkpath(QFileInfo(file).absolutePath()))
        return Result::failure(
            QStringLiteral("cannot create the directory of the token file %1").arg(file));
    const QString token = generate();
    QFile created(file);
    // Created with mode 0600 from the start: no moment at which others could read it.
    if (!created.open(QIODevice::WriteOnly | QIODevice::Truncate, kPrivate) ||
        created.write(token.toLatin1() + '\n') < 0 || !created.flush())
        return Result::failure(
            QStringLiteral("cannot write the token file %1: %2").arg(file, created.errorString()));
    created.close();
    if (!QFile::setPermissions(file, kPrivate)) // an empty file left from before
        return Result::failure(
            QStringLiteral("cannot make the token file %1 private (mode 0600)").arg(file));
    return token;
}

} // namespace dust::lite
