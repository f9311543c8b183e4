#include "connection/ProfileStore.h"

#include <QSettings>
#include <QUrl>

#include <algorithm>

namespace dust {

namespace {

constexpr QLatin1StringView kProfiles("profiles");
constexpr QLatin1StringView kLastUsed("connection/lastProfile");

} // namespace

ProfileStore::ProfileStore(QSettings &settings)
    : m_settings(settings)
{}

QString ProfileStore::groupOf(const QString &name)
{
    // '/' and '\' would split the key; percent-encoding keeps every name apart.
    return kProfiles + QLatin1Char('/') + QString::fromLatin1(QUrl::toPercentEncoding(name));
}

QStringList ProfileStore::names() const
{
    m_settings.beginGroup(QString(kProfiles));
    const QStringList groups = m_settings.childGroups();
    QStringList out;
    for (const QString &group : groups) {
        const QString name = m_settings.value(group + QStringLiteral("/name")).toString();
        if (!name.isEmpty())
            out.append(name);
    }
    m_settings.endGroup();
    std::sort(out.begin(), out.end(), [](const QString &a, const QString &b) {
        const int c = a.compare(b, Qt::CaseInsensitive);
        return c != 0 ? c < 0 : a < b;
    });
    return out;
}

bool ProfileStore::contains(const QString &name) const
{
    return load(name).has_value();
}

std::optional<ConnectionProfile> ProfileStore::load(const QString &name) const
{
    if (name.isEmpty())
        return std::nullopt;
    m_settings.beginGroup(groupOf(name));
    std::optional<ConnectionProfile> out;
    if (m_settings.value(QStringLiteral("name")).toString() == name) {
        ConnectionProfile p;
        p.name = name;
        p.url = QUrl(m_settings.value(QStringLiteral("url")).toString(), QUrl::StrictMode);
        p.defaultStore = m_settings.value(QStringLiteral("defaultStore")).toString();
        p.transport = ConnectionProfile::transportFromKey(
                          m_settings.value(QStringLiteral("transport")).toString())
                          .value_or(ProfileTransport::Realtime);
        p.readOnly = m_settings.value(QStringLiteral("readOnly"), false).toBool();
        p.allowCleartext = m_settings.value(QStringLiteral("allowCleartext"), false).toBool();
        out = std::move(p);
    }
    m_settings.endGroup();
    return out;
}

QString ProfileStore::save(const ConnectionProfile &profile)
{
    if (const QString problem = profile.problem(); !problem.isEmpty())
        return problem;
    m_settings.remove(groupOf(profile.name)); // no stale keys from an older version
    m_settings.beginGroup(groupOf(profile.name));
    m_settings.setValue(QStringLiteral("name"), profile.name);
    m_settings.setValue(QStringLiteral("url"), profile.url.toString());
    m_settings.setValue(QStringLiteral("defaultStore"), profile.defaultStore);
    m_settings.setValue(QStringLiteral("transport"),
                        ConnectionProfile::transportKey(profile.transport));
    m_settings.setValue(QStringLiteral("readOnly"), profile.readOnly);
    m_settings.setValue(QStringLiteral("allowCleartext"), profile.allowCleartext);
    m_settings.endGroup();
    return writeStatus();
}

QString ProfileStore::remove(const QString &name)
{
    m_settings.remove(groupOf(name));
    if (lastUsed() == name)
        m_settings.remove(QString(kLastUsed));
    return writeStatus();
}

QString ProfileStore::lastUsed() const
{
    return m_settings.value(QString(kLastUsed)).toString();
}

void ProfileStore::setLastUsed(const QString &name)
{
    m_settings.setValue(QString(kLastUsed), name);
    m_settings.sync();
}

QString ProfileStore::unusedName(const QString &base) const
{
    if (!contains(base))
        return base;
    for (int i = 2;; ++i) {
        const QString candidate = QStringLiteral("%1 %2").arg(base).arg(i);
        if (!contains(candidate))
            return candidate;
    }
}

QString ProfileStore::writeStatus() const
{
    m_settings.sync();
    switch (m_settings.status()) {
    case QSettings::NoError:
        return {};
    case QSettings::AccessError:
        return tr("The profiles could not be saved: %1 is not writable.")
            .arg(m_settings.fileName());
    case QSettings::FormatError:
        return tr("The profiles could not be saved: %1 is damaged.").arg(m_settings.fileName());
    }
    return {};
}

} // namespace dust
