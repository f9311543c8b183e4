#include "Seeder.h"

#include "StoreDb.h"

#include <QDate>
#include <QJsonArray>
#include <QJsonObject>
#include <QRandomGenerator>

#include <array>
#include <functional>

namespace dust::lite {

namespace {

// An 8×8 PNG (a diagonal stripe) for the demo's file entry.
constexpr char kLogoPng[] = "\x89\x50\x4e\x47\x0d\x0a\x1a\x0a\x00\x00\x00\x0d\x49\x48\x44\x52"
                            "\x00\x00\x00\x08\x00\x00\x00\x08\x08\x02\x00\x00\x00\x4b\x6d\x29"
                            "\xdc\x00\x00\x00\x22\x49\x44\x41\x54\x78\xda\x63\xe8\xca\xb5\xfe"
                            "\xf2\xf2\x06\x04\x21\xb3\x19\xb0\x8a\x02\xd9\x0c\x58\x45\xa1\x3a"
                            "\xb0\x9a\xc6\x40\x07\x3b\x00\x48\x9e\x95\x11\x24\x43\x7d\x52\x00"
                            "\x00\x00\x00\x49\x45\x4e\x44\xae\x42\x60\x82";
constexpr qsizetype kLogoPngSize = sizeof(kLogoPng) - 1;

constexpr std::array kFirstNames = {"Alice", "Bruno", "Chloé", "Dmitri", "Emma",  "Farid",
                                    "Grace", "Hiro",  "Inès",  "Jonas",  "Kenji", "Léa",
                                    "Maya",  "Nils",  "Olga",  "Priya",  "Quinn", "Rosa"};
constexpr std::array kLastNames = {"Martin", "Rossi",    "Dubois", "Ivanova", "Schmidt",
                                   "Tanaka", "Haddad",   "Nguyen", "García",  "Okafor",
                                   "Larsen", "Kowalski", "Silva",  "Müller",  "Yamada"};
constexpr std::array kThemes = {"light", "dark", "system", "solarized"};
constexpr std::array kLanguages = {"en", "fr", "de", "ja", "es", "pt"};
constexpr std::array kStatuses = {"pending", "paid", "shipped", "delivered", "refunded"};
constexpr std::array kCurrencies = {"EUR", "USD", "JPY", "GBP"};
constexpr std::array kTags = {"beta", "admin", "vip", "trial", "staff", "partner"};
constexpr std::array kLogLevels = {"info", "info", "info", "warn", "error", "debug"};

template <typename Array> QString pick(QRandomGenerator &random, const Array &array)
{
    return QString::fromUtf8(array[random.bounded(int(array.size()))]);
}

Path pathOf(const QStringList &segments)
{
    auto path = Path::fromSegments(segments);
    return path ? std::move(path).value() : Path();
}

// Writes demo ops one by one; remembers the first failure.
class DemoWriter
{
public:
    explicit DemoWriter(StoreDb &db)
        : m_db(db)
    {}

    void write(Op op, const QStringList &segments, const QJsonValue &value = {},
               const std::function<void(WriteRequest &)> &tweak = {})
    {
        if (m_failed)
            return;
        WriteRequest request;
        request.op = op;
        request.path = pathOf(segments);
        request.value = value;
        request.deviceId = seedDeviceId();
        request.clientOpId = QStringLiteral("seed:demo:%1").arg(m_ops + 1);
        if (tweak)
            tweak(request);
        const WriteResult result = m_db.write(request);
        record(result);
    }

    void putFile(const QStringList &segments, const QByteArray &content, const QString &filename,
                 const QString &contentType)
    {
        if (m_failed)
            return;
        record(m_db.putFile(pathOf(segments), content, filename, contentType, seedDeviceId(),
                            QStringLiteral("seed:demo:%1").arg(m_ops + 1)));
    }

    qint64 result() const { return m_failed ? -1 : m_ops; }

private:
    void record(const WriteResult &result)
    {
        if (!result.ok) {
            qWarning("dustlite: seeding the demo store failed: %s", qUtf8Printable(result.reason));
            m_failed = true;
            return;
        }
        ++m_ops;
    }

    StoreDb &m_db;
    qint64 m_ops = 0;
    bool m_failed = false;
};

QJsonObject user(const QString &name, const QString &email, int age, const QString &theme,
                 const QString &language, bool notifications)
{
    return QJsonObject{
        {QStringLiteral("name"), name},
        {QStringLiteral("email"), email},
        {QStringLiteral("age"), age},
        {QStringLiteral("prefs"), QJsonObject{{QStringLiteral("theme"), theme},
                                              {QStringLiteral("language"), language},
                                              {QStringLiteral("notifications"), notifications}}},
    };
}

bool isEmpty(const StoreDb &db)
{
    return db.currentSeq() == 0 && db.entryCount() == 0;
}

// Produces the leaves of the generated store one at a time, in a repeating pattern of
// records: users (9 leaves), orders (6 leaves) and log lines (1 leaf), grouped by tenant.
class LeafGenerator
{
public:
    LeafGenerator()
        : m_random(20260628)
    {}

    std::pair<Path, QJsonValue> next()
    {
        if (m_pending.isEmpty())
            refill();
        return m_pending.takeFirst();
    }

private:
    void refill()
    {
        const int kind = int(m_record++ % 10);
        if (kind < 4)
            addUser();
        else if (kind < 7)
            addOrder();
        else
            addLog();
    }

    QString tenant() const
    {
        return QStringLiteral("t%1").arg(m_record / 20000, 3, 10, QLatin1Char('0'));
    }

    void add(const QStringList &segments, const QJsonValue &value)
    {
        m_pending.append({pathOf(segments), value});
    }

    void addUser()
    {
        const QString id = QStringLiteral("u%1").arg(m_users++, 6, 10, QLatin1Char('0'));
        const QStringList base{QStringLiteral("tenants"), tenant(), QStringLiteral("users"), id};
        const QString first = pick(m_random, kFirstNames);
        const QString last = pick(m_random, kLastNames);
        add(base + QStringList{QStringLiteral("name")}, QString(first + QLatin1Char(' ') + last));
        add(base + QStringList{QStringLiteral("email")},
            QString(first.toLower() + QLatin1Char('.') + id + QStringLiteral("@example.com")));
        add(base + QStringList{QStringLiteral("age")}, 18 + m_random.bounded(60));
        add(base + QStringList{QStringLiteral("active")}, m_random.bounded(5) != 0);
        add(base + QStringList{QStringLiteral("score")},
            qRound(m_random.generateDouble() * 10000) / 100.0);
        add(base + QStringList{QStringLiteral("tags")},
            QJsonArray{pick(m_random, kTags), pick(m_random, kTags)});
        add(base + QStringList{QStringLiteral("prefs"), QStringLiteral("theme")},
            pick(m_random, kThemes));
        add(base + QStringList{QStringLiteral("prefs"), QStringLiteral("language")},
            pick(m_random, kLanguages));
        add(base + QStringList{QStringLiteral("prefs"), QStringLiteral("notifications"),
                               QStringLiteral("email")},
            m_random.bounded(2) == 0);
    }

    void addOrder()
    {
        const QString id = QStringLiteral("o%1").arg(m_orders++, 7, 10, QLatin1Char('0'));
        const QStringList base{QStringLiteral("tenants"), tenant(), QStringLiteral("orders"), id};
        add(base + QStringList{QStringLiteral("status")}, pick(m_random, kStatuses));
        add(base + QStringList{QStringLiteral("total")},
            qRound(m_random.generateDouble() * 50000) / 100.0);
        add(base + QStringList{QStringLiteral("currency")}, pick(m_random, kCurrencies));
        add(base + QStringList{QStringLiteral("items")}, 1 + m_random.bounded(12));
        add(base + QStringList{QStringLiteral("created_at")},
            QString(QDate(2026, 1, 1).addDays(m_orders % 365).toString(Qt::ISODate) +
                    QStringLiteral("T12:00:00Z")));
        add(base + QStringList{QStringLiteral("coupon")},
            m_random.bounded(4) == 0 ? QJsonValue(QStringLiteral("SPRING")) : QJsonValue());
    }

    void addLog()
    {
        const qint64 n = m_logs++;
        const QString day = QDate(2026, 1, 1).addDays(n / 2000).toString(Qt::ISODate);
        const QString line = QStringLiteral("%1-%2")
                                 .arg((n % 2000) * 43 / 100 / 60 % 24, 2, 10, QLatin1Char('0'))
                                 .arg(n, 8, 10, QLatin1Char('0'));
        add({QStringLiteral("logs"), day, line}, QStringLiteral("%1 request %2 served in %3 ms")
                                                     .arg(pick(m_random, kLogLevels))
                                                     .arg(n)
                                                     .arg(1 + m_random.bounded(900)));
    }

    QRandomGenerator m_random;
    QList<std::pair<Path, QJsonValue>> m_pending;
    qint64 m_record = 0;
    qint64 m_users = 0;
    qint64 m_orders = 0;
    qint64 m_logs = 0;
};

} // namespace

QString seedDeviceId()
{
    return QStringLiteral("system:seed");
}

qint64 seedDemo(StoreDb &db)
{
    if (!isEmpty(db))
        return 0;
    DemoWriter w(db);
    const auto s = [](const char *text) {
        return QString::fromUtf8(text);
    };

    // People.
    w.write(Op::Set, {s("users"), s("alice")},
            user(s("Alice Martin"), s("alice@example.com"), 34, s("dark"), s("en"), true));
    w.write(Op::Set, {s("users"), s("bruno")},
            user(s("Bruno Rossi"), s("bruno@example.it"), 41, s("light"), s("it"), false));
    w.write(Op::Set, {s("users"), s("chloé")},
            user(s("Chloé Dubois"), s("chloe@example.fr"), 29, s("system"), s("fr"), true));
    w.write(Op::Set, {s("users"), s("jean luc")},
            user(s("Jean Luc Picard"), s("jl@example.org"), 59, s("dark"), s("fr"), false));
    w.write(Op::Merge, {s("users"), s("alice")},
            QJsonObject{{s("status"), s("active")}, {s("last_login"), s("2026-06-27T08:15:00Z")}});

    // Settings and flags.
    w.write(Op::Set, {s("settings")},
            QJsonObject{{s("site_name"), s("Dust Demo")},
                        {s("timezone"), s("Europe/Paris")},
                        {s("max_upload_mb"), 25},
                        {s("ratio"), 0.75},
                        {s("maintenance"), false},
                        {s("banner"), QJsonValue()},
                        {s("allowed_origins"),
                         QJsonArray{s("https://example.com"), s("http://localhost:5173")}}});
    w.write(Op::Set, {s("flags"), s("new_editor")}, true);
    w.write(Op::Set, {s("flags"), s("beta_search")}, false);
    w.write(Op::Set, {s("flags"), s("dark_mode")}, true);

    // A node that is both a value and a folder.
    w.write(Op::Set, {s("config")}, s("v2"));
    w.write(Op::Set, {s("config"), s("theme")}, s("dark"));
    w.write(Op::Set, {s("config"), s("limits"), s("requests_per_minute")}, 600);

    // Counters and sets.
    for (const int delta : {1, 1, 5, 10, -2})
        w.write(Op::Increment, {s("stats"), s("visits")}, delta);
    w.write(Op::Increment, {s("stats"), s("downloads")}, 3);
    w.write(Op::Increment, {s("stats"), s("load_average")}, 0.25);
    for (const char *tag : {"qt", "sqlite", "dust", "qt", "phoenix"})
        w.write(Op::Add, {s("tags"), s("popular")}, s(tag));
    w.write(Op::Remove, {s("tags"), s("popular")}, s("phoenix"));

    // Files: a text file and a PNG under a segment holding '/'.
    w.putFile({s("files"), s("readme")},
              QByteArrayLiteral("Dust demo store\n\nEverything here was written by dustlite's "
                                "seeder.\n"),
              s("README.txt"), s("text/plain"));
    w.putFile({s("files"), s("image/logo")}, QByteArray(kLogoPng, kLogoPngSize), s("logo.png"),
              s("image/png"));

    // A lease held for a day.
    w.write(Op::Lease, {s("jobs"), s("nightly-backup")}, {}, [](WriteRequest &r) {
        r.holder = QStringLiteral("worker-1");
        r.ttlMs = 24 * 60 * 60 * 1000;
    });

    // Awkward names: '~', spaces, dots, unicode, numbers that sort naturally.
    w.write(Op::Set, {s("home~user"), s("shell")}, s("/bin/zsh"));
    w.write(Op::Set, {s("my documents"), s("report 2026.pdf"), s("pages")}, 12);
    w.write(Op::Set, {s("domains"), s("example.com"), s("owner")}, s("alice"));
    w.write(Op::Set, {s("domains"), s("example.com"), s("expires")}, s("2027-03-01"));
    w.write(Op::Set, {s("cities"), s("café")}, s("Paris"));
    w.write(Op::Set, {s("cities"), s("日本")}, QJsonObject{{s("capital"), s("東京")}});
    for (const int n : {1, 2, 10, 20, 100})
        w.write(Op::Set, {s("items"), QStringLiteral("item%1").arg(n)},
                QJsonObject{{s("n"), n}, {s("label"), QStringLiteral("Item %1").arg(n)}});
    w.write(Op::Set, {s("misc"), s("nothing")}, QJsonValue());
    w.write(Op::Set, {s("misc"), s("primes")}, QJsonArray{2, 3, 5, 7, 11});
    w.write(Op::Set, {s("misc"), s("pi")}, 3.14159);

    // Some history: a write that was later deleted.
    w.write(Op::Set, {s("drafts"), s("welcome")}, s("Hello, world"));
    w.write(Op::Delete, {s("drafts")});
    return w.result();
}

qint64 seedGenerated(StoreDb &db, qint64 leaves)
{
    if (leaves <= 0 || !isEmpty(db))
        return 0;
    constexpr qint64 kChunk = 50000;
    LeafGenerator generator;
    qint64 written = 0;
    QList<std::pair<Path, QJsonValue>> chunk;
    chunk.reserve(kChunk);
    while (written < leaves) {
        chunk.clear();
        const qint64 n = std::min(kChunk, leaves - written);
        for (qint64 i = 0; i < n; ++i)
            chunk.append(generator.next());
        if (db.bulkSet(chunk, seedDeviceId()) < 0)
            return -1;
        written += n;
    }
    return written;
}

} // namespace dust::lite
