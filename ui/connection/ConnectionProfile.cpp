#include "connection/ConnectionProfile.h"

#include <QRegularExpression>

namespace dust {

QString ConnectionProfile::problem() const
{
    if (name.trimmed().isEmpty())
        return tr("The profile needs a name.");
    QString why;
    if (serverUrlFromText(url.toString(), &why).isEmpty())
        return why;
    if (!defaultStore.isEmpty() && !isStoreName(defaultStore))
        return tr("The default store \"%1\" is not of the form org/name (lower-case letters, "
                  "digits, '-', '.', '_').")
            .arg(defaultStore);
    return {};
}

QString ConnectionProfile::transportKey(ProfileTransport transport)
{
    return transport == ProfileTransport::Rest ? QStringLiteral("rest")
                                               : QStringLiteral("realtime");
}

std::optional<ProfileTransport> ConnectionProfile::transportFromKey(QStringView key)
{
    if (key == u"realtime")
        return ProfileTransport::Realtime;
    if (key == u"rest")
        return ProfileTransport::Rest;
    return std::nullopt;
}

QUrl ConnectionProfile::serverUrlFromText(const QString &text, QString *error)
{
    const auto fail = [error](const QString &why) {
        if (error)
            *error = why;
        return QUrl();
    };
    const QString trimmed = text.trimmed();
    if (trimmed.isEmpty())
        return fail(tr("Enter the server's address, e.g. https://dustlayer.io."));
    QUrl url(trimmed, QUrl::StrictMode);
    const QString scheme = url.scheme().toLower();
    if (!url.isValid() || url.host().isEmpty() ||
        (scheme != u"http" && scheme != u"https" && scheme != u"ws" && scheme != u"wss"))
        return fail(tr("\"%1\" is not a server address: it must start with https:// (or "
                       "http:// for a server on this machine) and name a host.")
                        .arg(trimmed));
    if (scheme == u"ws" || scheme == u"wss") {
        url.setScheme(scheme == u"wss" ? QStringLiteral("https") : QStringLiteral("http"));
        QString path = url.path();
        for (const QString &tail : {QStringLiteral("/websocket"), QStringLiteral("/ws/sync")}) {
            if (path.endsWith(tail))
                path.chop(tail.size());
        }
        url.setPath(path);
    } else {
        url.setScheme(scheme);
    }
    if (url.path() == u"/")
        url.setPath(QString());
    url.setUserInfo(QString());
    url.setQuery(QString());
    url.setFragment(QString());
    return url;
}

bool ConnectionProfile::isStoreName(QStringView store)
{
    static const QRegularExpression pattern(
        QStringLiteral("^[a-z0-9][a-z0-9-]*/[a-z0-9][a-z0-9._-]*$"));
    return pattern.match(store).hasMatch();
}

} // namespace dust
