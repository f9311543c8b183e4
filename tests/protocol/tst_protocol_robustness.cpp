// Thousands of random and mutated inputs for every protocol decoder: none may crash, throw
// or disagree with itself (what parses renders back to the same text, what decodes
// encodes back to an equal value), and the path parser agrees with a naive model of the
// specification.

#include "ProtocolTestRandom.h"

#include "protocol/Entry.h"
#include "protocol/Glob.h"
#include "protocol/Path.h"
#include "protocol/PhoenixMessage.h"
#include "protocol/Values.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QTest>

using dust::ChangeEvent;
using dust::Glob;
using dust::Path;
using dust::PhoenixMessage;

namespace {

// The specification of §2.1 written as directly as possible: split, then unescape each
// piece; empty pieces are reported before escapes.
QString naiveParse(const QString &rendered, QStringList *segments)
{
    if (rendered.isEmpty())
        return QStringLiteral("empty_path");
    const QStringList pieces = rendered.split(QLatin1Char('/'));
    for (const QString &p : pieces) {
        if (p.isEmpty())
            return QStringLiteral("empty_segment");
    }
    segments->clear();
    for (const QString &p : pieces) {
        QString out;
        for (qsizetype i = 0; i < p.size(); ++i) {
            if (p[i] != QLatin1Char('~')) {
                out += p[i];
                continue;
            }
            if (i + 1 >= p.size())
                return QStringLiteral("invalid_escape");
            if (p[i + 1] == QLatin1Char('0'))
                out += QLatin1Char('~');
            else if (p[i + 1] == QLatin1Char('1'))
                out += QLatin1Char('/');
            else
                return QStringLiteral("invalid_escape");
            ++i;
        }
        segments->append(out);
    }
    return QStringLiteral("ok");
}

// Characters that are special somewhere in the protocol.
constexpr char16_t kSpecial[] = u"~/*[]\"{}\\,:01 %+.\n\u00e9\U0001F600";

QString mutateText(QRandomGenerator &rng, QString s)
{
    const int edits = 1 + int(rng.bounded(4));
    for (int e = 0; e < edits; ++e) {
        const qsizetype pos = s.isEmpty() ? 0 : qsizetype(rng.bounded(int(s.size() + 1)));
        const QChar special = QChar(kSpecial[rng.bounded(int(std::size(kSpecial) - 1))]);
        switch (rng.bounded(5)) {
        case 0: // insert a special character
            s.insert(pos, special);
            break;
        case 1: // delete one
            if (pos < s.size())
                s.remove(pos, 1);
            break;
        case 2: // replace one
            if (pos < s.size())
                s[pos] = special;
            break;
        case 3: // truncate
            s.truncate(pos);
            break;
        default: // duplicate a slice
            s.insert(pos, s.mid(pos / 2, 3));
            break;
        }
    }
    return s;
}

QByteArray mutateBytes(QRandomGenerator &rng, QByteArray b)
{
    static constexpr char kBytes[] = "[]{}\",:nulltruefalse0123456789-.eE\\ \x00\xff\xc3";
    const int edits = 1 + int(rng.bounded(4));
    for (int e = 0; e < edits; ++e) {
        const qsizetype pos = b.isEmpty() ? 0 : qsizetype(rng.bounded(int(b.size() + 1)));
        switch (rng.bounded(6)) {
        case 0: // bit flip
            if (pos < b.size())
                b[pos] = char(b[pos] ^ (1 << rng.bounded(8)));
            break;
        case 1:
            b.insert(pos, kBytes[rng.bounded(int(sizeof kBytes - 1))]);
            break;
        case 2:
            if (pos < b.size())
                b.remove(pos, 1);
            break;
        case 3:
            b.truncate(pos);
            break;
        case 4:
            b.insert(pos, b.mid(pos / 2, 8));
            break;
        default:
            if (pos < b.size())
                b[pos] = kBytes[rng.bounded(int(sizeof kBytes - 1))];
            break;
        }
    }
    return b;
}

QString randomText(QRandomGenerator &rng)
{
    QString s;
    const int length = int(rng.bounded(12));
    for (int i = 0; i < length; ++i) {
        if (rng.bounded(3) == 0)
            s += QChar(kSpecial[rng.bounded(int(std::size(kSpecial) - 1))]);
        else
            s += QChar(char16_t(u'a' + rng.bounded(3)));
    }
    return s;
}

QByteArray sampleFrame(QRandomGenerator &rng)
{
    static constexpr const char *kFrames[] = {
        R"(["1","1","store:acme/site","phx_join",{"last_store_seq":0}])",
        R"([null,null,"store:acme/site","event",{"store_seq":143,"op":"set","path":"posts/hello","path_segments":["posts","hello"],"value":{"title":"Hi"},"device_id":"dev_8f","client_op_id":"op_3kq"}])",
        R"(["1","7","store:acme/site","phx_reply",{"status":"ok","response":{"store_seq":143}}])",
        R"([null,"5","phoenix","heartbeat",{}])",
        R"(["3",null,"store:a/b","snapshot",{"snapshot_seq":12,"entries":{"u/a":{"value":{"_scalar":"A"},"type":"string"}}}])",
        R"(["3",null,"store:a/b","catch_up_complete",{"through_seq":12}])",
    };
    return QByteArray(kFrames[rng.bounded(int(std::size(kFrames)))]);
}

QByteArray sampleEvent(QRandomGenerator &rng)
{
    static constexpr const char *kEvents[] = {
        R"({"store_seq":143,"op":"set","path":"posts/hello","path_segments":["posts","hello"],"value":{"title":"Hi"},"device_id":"dev_8f","client_op_id":"op_3kq"})",
        R"({"store_seq":2,"op":"delete","path":"a~1b/c","value":null,"device_id":"http:1","client_op_id":"x"})",
        R"({"store_seq":9,"op":"increment","path":"stats/views","path_segments":["stats","views"],"value":42})",
        R"({"store_seq":10,"op":"add","path":"tags","path_segments":["tags"],"value":["a","b"],"device_id":"d"})",
    };
    return QByteArray(kEvents[rng.bounded(int(std::size(kEvents)))]);
}

} // namespace

class TestProtocolRobustness : public QObject
{
    Q_OBJECT

private slots:
    void initTestCase();
    void pathParseAgreesWithSpec();
    void pathFromUrlEncoded();
    void globCompile();
    void phoenixDecode();
    void changeEventFromJson();
    void valuesOnRandomJson();

private:
    quint32 m_seed = 0;
};

void TestProtocolRobustness::initTestCase()
{
    m_seed = dust::test::testSeed();
}

void TestProtocolRobustness::pathParseAgreesWithSpec()
{
    QRandomGenerator rng(m_seed);
    for (int i = 0; i < 30000; ++i) {
        QString input;
        if (i % 3 == 0) {
            input = randomText(rng);
        } else {
            const auto valid = Path::fromSegments(dust::testing::randomSegments(rng));
            input = mutateText(rng, valid->rendered());
        }
        const auto parsed = Path::parse(input);
        QStringList expected;
        const QString verdict = naiveParse(input, &expected);
        const QString got = parsed ? QStringLiteral("ok") : dust::pathErrorName(parsed.error());
        QVERIFY2(got == verdict, qPrintable(input + QStringLiteral(" -> ") + got +
                                            QStringLiteral(", expected ") + verdict));
        if (!parsed) {
            QVERIFY(!Glob::compile(input));
            continue;
        }
        QCOMPARE(parsed->segments(), expected);
        QCOMPARE(parsed->rendered(), input); // render(parse(x)) == x
        QCOMPARE(*Path::fromSegments(parsed->segments()), *parsed);
        // A lone surrogate (a cut emoji) has no UTF-8 form, so only well-formed text can
        // travel in a URL.
        if (input.isValidUtf16()) {
            const auto viaUrl = Path::fromUrlEncoded(parsed->urlEncoded());
            QVERIFY(viaUrl);
            QCOMPARE(*viaUrl, *parsed);
        }
    }
}

void TestProtocolRobustness::pathFromUrlEncoded()
{
    QRandomGenerator rng(m_seed + 1);
    for (int i = 0; i < 20000; ++i) {
        const auto valid = Path::fromSegments(dust::testing::randomSegments(rng));
        const QByteArray input = mutateBytes(rng, valid->urlEncoded());
        const auto decoded = Path::fromUrlEncoded(input);
        if (!decoded)
            continue;
        // What decodes is a valid path whose own encoding decodes to the same path.
        QVERIFY(decoded->isValid());
        QCOMPARE(*Path::parse(decoded->rendered()), *decoded);
        QCOMPARE(*Path::fromUrlEncoded(decoded->urlEncoded()), *decoded);
        QVERIFY(!input.contains("%2F") && !input.contains("%2f"));
    }
}

void TestProtocolRobustness::globCompile()
{
    QRandomGenerator rng(m_seed + 2);
    static constexpr const char16_t *kPatterns[] = {
        u"posts/*", u"posts/**", u"**", u"a/\\*", u"a/\\**", u"a/*/c", u"files/image~1file",
    };
    for (int i = 0; i < 30000; ++i) {
        const QString base =
            i % 2 ? QString::fromUtf16(kPatterns[rng.bounded(int(std::size(kPatterns)))])
                  : Path::fromSegments(dust::testing::randomSegments(rng))->rendered();
        const QString input = mutateText(rng, base);
        const auto g = Glob::compile(input);
        const auto p = Path::parse(input);
        if (!g) {
            // A pattern fails exactly when the path parse fails, or for a non-tail `**`.
            if (p) {
                QCOMPARE(g.error(), dust::GlobError::WildcardManyNotTail);
                QVERIFY(p->segments().contains(QStringLiteral("**")));
                QVERIFY(p->segments().last() != QLatin1String("**") ||
                        p->segments().count(QStringLiteral("**")) > 1);
            }
            continue;
        }
        QVERIFY(p);
        QCOMPARE(g->pattern(), input);
        QCOMPARE(g->segments().size(), p->depth());
        // A pattern without wildcards matches exactly the path of its literals (which
        // differs from the pattern's own text for `\*` and `\**`).
        if (g->isExact()) {
            QStringList literals;
            for (const Glob::Segment &s : g->segments())
                literals.append(s.literal);
            QVERIFY(g->matches(literals));
            QCOMPARE(g->matches(*p), literals == p->segments());
        }
        // Anything the glob matches starts with the literal prefix.
        const QStringList prefix = g->literalPrefix();
        const QStringList probe = p->segments();
        if (g->matches(probe))
            QCOMPARE(probe.first(prefix.size()), prefix);
        QVERIFY(!g->matches(QStringList()));
    }
}

void TestProtocolRobustness::phoenixDecode()
{
    QRandomGenerator rng(m_seed + 3);
    int decodedCount = 0;
    for (int i = 0; i < 30000; ++i) {
        QByteArray input = mutateBytes(rng, sampleFrame(rng));
        if (i % 10 == 0) { // pure noise
            input.resize(int(rng.bounded(64)));
            for (char &c : input)
                c = char(rng.bounded(256));
        }
        const auto m = PhoenixMessage::decode(input);
        if (!m) {
            QVERIFY(!m.error().isEmpty());
            continue;
        }
        ++decodedCount;
        const QByteArray again = m->encode();
        const auto back = PhoenixMessage::decode(again);
        QVERIFY2(back, again.constData());
        QCOMPARE(*back, *m);
        QCOMPARE(back->encode(), again);
        // Reply helpers never fail on whatever payload arrived.
        (void)m->replyStatus();
        (void)m->replyResponse();
        if (m->payload.isObject())
            (void)ChangeEvent::fromJson(m->payload.toObject());
    }
    QVERIFY(decodedCount > 0); // the mutations leave some frames intact
}

void TestProtocolRobustness::changeEventFromJson()
{
    QRandomGenerator rng(m_seed + 4);
    int ok = 0;
    for (int i = 0; i < 30000; ++i) {
        const QByteArray input = mutateBytes(rng, sampleEvent(rng));
        const QJsonDocument doc = QJsonDocument::fromJson(input);
        if (!doc.isObject())
            continue;
        const auto e = ChangeEvent::fromJson(doc.object());
        if (!e) {
            QVERIFY(e.error().startsWith(QStringLiteral("invalid event: ")));
            continue;
        }
        ++ok;
        QVERIFY(e->storeSeq >= 1);
        QVERIFY(e->path.isValid());
        QCOMPARE(dust::opFromName(e->opText), e->op);
        const auto back = ChangeEvent::fromJson(e->toJson());
        QVERIFY(back);
        QCOMPARE(*back, *e);
    }
    QVERIFY(ok > 0);

    // Fields swapped for every JSON type.
    const QJsonValue kinds[] = {QJsonValue(),
                                QJsonValue(true),
                                QJsonValue(1.5),
                                QJsonValue(7),
                                QJsonValue(QStringLiteral("x")),
                                QJsonArray{QStringLiteral("a")},
                                QJsonObject{{QStringLiteral("a"), 1}},
                                QJsonValue(QJsonValue::Undefined)};
    const QJsonObject base = QJsonDocument::fromJson(sampleEvent(rng)).object();
    for (const QString &key : base.keys()) {
        for (const QJsonValue &kind : kinds) {
            QJsonObject o = base;
            if (kind.isUndefined())
                o.remove(key);
            else
                o.insert(key, kind);
            const auto e = ChangeEvent::fromJson(o);
            if (e)
                QCOMPARE(*ChangeEvent::fromJson(e->toJson()), *e);
            else
                QVERIFY(!e.error().isEmpty());
        }
    }
}

// Random JSON documents (from mutated samples) through every value helper.
void TestProtocolRobustness::valuesOnRandomJson()
{
    QRandomGenerator rng(m_seed + 5);
    for (int i = 0; i < 5000; ++i) {
        const QByteArray input = mutateBytes(rng, sampleEvent(rng));
        const QJsonDocument doc = QJsonDocument::fromJson(input);
        if (doc.isNull())
            continue;
        const QJsonValue value =
            doc.isObject() ? QJsonValue(doc.object()) : QJsonValue(doc.array());
        const Path base = *Path::parse(u"base");
        const auto leaves = dust::values::flatten(base, value);
        QList<dust::Entry> entries;
        for (const dust::Leaf &l : leaves) {
            QVERIFY(base.isSelfOrAncestorOf(l.path));
            QCOMPARE(l.type, dust::values::detectType(l.value));
            entries.append(dust::Entry{l.path, l.value, l.type, 1});
        }
        if (!leaves.isEmpty() && leaves.first().path != base &&
            !dust::values::validateKeys(value)) {
            // Flattening then assembling gives back the object minus its empty objects.
            const dust::Entry e = dust::values::assembleSubtree(base, entries);
            QCOMPARE(dust::values::flatten(base, e.value).size(), leaves.size());
        }
        const QString preview = dust::values::preview(value, 40);
        QVERIFY(preview.size() <= 40);
        if (!(value.isObject() &&
              value.toObject().keys() == QStringList{QStringLiteral("_scalar")}))
            QCOMPARE(dust::values::unwrapScalar(dust::values::wrapScalar(value)), value);
    }
}

QTEST_GUILESS_MAIN(TestProtocolRobustness)
#include "tst_protocol_robustness.moc"
