// The inspector, page by page, against a real dustlite on 127.0.0.1: each kind of value is
// written the way clients write it (REST put, WebSocket increment/add/lease/put_file), read
// back with Transport::get, shown, and checked: the page it lands on, the header's path,
// segments, type, revision (the write's own store_seq) and size, and the page's texts. Then
// the parts that move: the lease countdown, a file download to disk, a 10 MB value streaming
// in (chunks, cancel, a newer entry cancelling the older), and the JSON tree model.

#include "InProcessDustlite.h"
#include "TestAwait.h"
#include "TestFileUpload.h"
#include "TestSdkOptions.h"

#include "inspector/ChunkedTextView.h"
#include "inspector/EntryEditor.h"
#include "inspector/EntryHeader.h"
#include "inspector/FilePage.h"
#include "inspector/InspectorPanel.h"
#include "inspector/JsonPage.h"
#include "inspector/JsonTreeModel.h"
#include "inspector/LeasePage.h"
#include "inspector/StringPage.h"
#include "inspector/ValueFormatter.h"
#include "transport/HttpTransport.h"
#include "transport/SdkTransport.h"

#include <QAbstractItemModelTester>
#include <QCheckBox>
#include <QCryptographicHash>
#include <QFile>
#include <QFileDialog>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QLocale>
#include <QPlainTextEdit>
#include <QPushButton>
#include <QRandomGenerator>
#include <QSignalSpy>
#include <QSplitter>
#include <QTemporaryDir>
#include <QTest>
#include <QToolButton>
#include <QTreeView>

using namespace dust;
using namespace dust::test;
using namespace std::chrono_literals;
using namespace Qt::StringLiterals;

namespace {

// Shows `model` in `view` as the inspector's JSON page does (uniform rows), on screen.
bool showTree(QTreeView &view, QAbstractItemModel *model)
{
    view.setUniformRowHeights(true);
    view.setModel(model);
    view.resize(400, 300);
    view.show();
    return QTest::qWaitForWindowExposed(&view);
}

const QString kStore = QStringLiteral("local/demo");

QString describe(const Error &error)
{
    return Error::kindName(error.kind()) + QStringLiteral(": ") + error.message();
}

// The compact JSON size of `value` as Qt writes it, the oracle for the header's size.
qint64 compactSize(const QJsonValue &value)
{
    return QJsonDocument(QJsonArray{value}).toJson(QJsonDocument::Compact).size() - 2;
}

// The indented JSON text Qt writes for a container (the Raw view's text).
QString indented(const QJsonValue &value)
{
    const QJsonDocument doc =
        value.isObject() ? QJsonDocument(value.toObject()) : QJsonDocument(value.toArray());
    return QString::fromUtf8(doc.toJson(QJsonDocument::Indented));
}

QString quotedSegments(const Path &path)
{
    QStringList out;
    for (const QString &segment : path.segments())
        out.append(QLatin1Char('"') + segment + QLatin1Char('"'));
    return out.join(QStringLiteral(", "));
}

QByteArray randomBytes(qsizetype size, quint32 seed)
{
    QRandomGenerator generator(seed);
    QByteArray out(size, Qt::Uninitialized);
    for (qsizetype i = 0; i < size; ++i)
        out[i] = static_cast<char>(generator.bounded(256));
    return out;
}

// About 10 MB of JSON: an array of 100,000 strings of 100 characters.
QJsonArray bigArray()
{
    QJsonArray array;
    for (int i = 0; i < 100000; ++i)
        array.append(QString(QStringLiteral("item %1 ").arg(i, 6, 10, QLatin1Char('0')) +
                             QString(88, QLatin1Char('x'))));
    return array;
}

// About 10 MB of text in lines of 100 characters.
QString bigString()
{
    QString text;
    text.reserve(10 * 1024 * 1024 + 128);
    const QString line = QString(99, QLatin1Char('y')) + QLatin1Char('\n');
    while (text.size() < 10 * 1024 * 1024)
        text += line;
    return text;
}

} // namespace

class TestInspector : public QObject
{
    Q_OBJECT

private slots:
    void initTestCase();
    void cleanupTestCase();

    void pageForEachType_data();
    void pageForEachType();
    void escapedSegments_data();
    void escapedSegments();
    void unknownTypeShowsAsJson();
    void loadingErrorAndNothing();
    void leaseCountsDown();
    void fileDownloadWritesTheExactBytes_data();
    void fileDownloadWritesTheExactBytes();
    void fileDownloadFailuresInWords();
    void fileDownloadCancelSavesNothing();
    void bigValueStreamsInChunks_data();
    void bigValueStreamsInChunks();
    void cancelStopsFormatting();
    void newerEntryCancelsOlderFormatting();
    void bigArrayTextOnlyForRaw();
    void formatterWritesWhatQtWrites_data();
    void formatterWritesWhatQtWrites();
    void jsonTreeModel();
    void jsonTreeIsBuiltLazily();
    void jsonTreeShowsBigValuesInPages();
    void everyControlHasAnAccessibleName();
    void narrowestKeepsTheButtonsWhole();

private:
    Entry read(const Path &where);
    // The store_seq of the write (or the last of them) `op` makes at `where`.
    qint64 write(const QString &op, const Path &where, const QJsonValue &value);
    Entry bigEntry(const QString &kind);

    InProcessDustlite m_server;
    std::unique_ptr<HttpTransport> m_http;
    std::unique_ptr<SdkTransport> m_live;
    QHash<QString, Entry> m_big;
};

void TestInspector::initTestCase()
{
    m_server.config().maxBodyBytes = 64LL * 1024 * 1024; // the 10 MB values go in by REST
    QVERIFY2(m_server.start(), qPrintable(m_server.errorString()));
    m_http = std::make_unique<HttpTransport>(m_server.baseUrl(), QStringLiteral("dust_tok_dev"));
    SdkOptions options = sdkOptions(m_server.wsUrl());
    options.statusPollInterval = 0ms; // no rejoin that would pull the 10 MB values over
    m_live = std::make_unique<SdkTransport>(options);
}

void TestInspector::cleanupTestCase()
{
    m_live.reset();
    m_http.reset();
}

Entry TestInspector::read(const Path &where)
{
    const auto got = await(m_http->get(kStore, where));
    if (!got)
        qWarning("get %s: %s", qPrintable(where.rendered()), qPrintable(describe(got.error())));
    return got ? *got : Entry{};
}

qint64 TestInspector::write(const QString &op, const Path &where, const QJsonValue &value)
{
    const auto seqOf = [](const Result<WriteResult> &r) {
        if (!r)
            qWarning("write failed: %s", qPrintable(describe(r.error())));
        return r ? r->storeSeq : 0;
    };
    if (op == QLatin1String("put"))
        return seqOf(await(m_http->put(kStore, where, value)));
    if (op == QLatin1String("increment"))
        return seqOf(await(m_live->increment(kStore, where, value.toDouble())));
    if (op == QLatin1String("add")) {
        qint64 seq = 0;
        for (const QJsonValue &member : value.toArray())
            seq = seqOf(await(m_live->addMember(kStore, where, member)));
        return seq;
    }
    const QJsonObject o = value.toObject();
    const auto field = [&o](const char *name) {
        return o.value(QLatin1String(name));
    };
    if (op == QLatin1String("lease")) {
        return seqOf(
            await(m_live->lease(kStore, where, std::chrono::milliseconds(field("ttl").toInteger()),
                                field("holder").toString())));
    }
    if (op == QLatin1String("file")) {
        const auto up = uploadFile(m_server.wsUrl(), kStore, where.rendered(),
                                   field("content").toString().toUtf8(),
                                   field("filename").toString(), field("content_type").toString());
        if (!up.error.isEmpty())
            qWarning("upload failed: %s", qPrintable(up.error));
        return up.seq;
    }
    qFatal("unknown op");
}

void TestInspector::pageForEachType_data()
{
    QTest::addColumn<QString>("op");
    QTest::addColumn<QString>("writeAt");
    QTest::addColumn<QJsonValue>("value");
    QTest::addColumn<QString>("readAt");
    QTest::addColumn<QString>("type");
    QTest::addColumn<QString>("page");
    QTest::addColumn<QString>("text"); // the exact valueText, or "~" + parts it holds, '|'
    QTest::addColumn<QString>("note"); // a part of the page's note (empty: no check)
    QTest::addColumn<qint64>("size");  // the header's size; -1: Qt's compact size

    const QJsonObject alice{{u"name"_s, u"Alice"_s},
                            {u"prefs"_s, QJsonObject{{u"theme"_s, u"dark"_s}}}};
    const QJsonArray matrix{QJsonArray{1, 2}, QJsonArray{3, QJsonObject{{u"x"_s, QJsonValue()}}}};
    QString essay;
    for (int i = 0; i < 400; ++i)
        essay += QStringLiteral("Line %1 of a long text, with \"quotes\" and ünïcödé.\n").arg(i);

    QTest::newRow("string") << "put"
                            << "greeting" << QJsonValue(u"hello world"_s) << "greeting"
                            << "string"
                            << "dust::StringPage"
                            << "hello world"
                            << "Text, 11 characters." << qint64(13);
    QTest::newRow("long string") << "put"
                                 << "essay" << QJsonValue(essay) << "essay"
                                 << "string"
                                 << "dust::StringPage" << essay << "characters" << qint64(-1);
    QTest::newRow("array as string")
        << "put"
        << "tags" << QJsonValue(QJsonArray{u"red"_s, u"green"_s}) << "tags"
        << "string"
        << "dust::JsonPage"
        << "[\n    \"red\",\n    \"green\"\n]\n"
        << "An array" << qint64(15);
    QTest::newRow("integer") << "put"
                             << "answer" << QJsonValue(42) << "answer"
                             << "integer"
                             << "dust::NumberPage"
                             << "42"
                             << "Integer" << qint64(2);
    QTest::newRow("float") << "put"
                           << "ratio" << QJsonValue(2.5) << "ratio"
                           << "float"
                           << "dust::NumberPage"
                           << "2.5"
                           << "Floating" << qint64(3);
    QTest::newRow("counter") << "increment"
                             << "stats/views" << QJsonValue(7) << "stats/views"
                             << "counter"
                             << "dust::NumberPage"
                             << "7"
                             << "Counter" << qint64(1);
    QTest::newRow("boolean") << "put"
                             << "enabled" << QJsonValue(true) << "enabled"
                             << "boolean"
                             << "dust::BooleanPage"
                             << "true"
                             << "" << qint64(4);
    QTest::newRow("null") << "put"
                          << "nothing" << QJsonValue(QJsonValue::Null) << "nothing"
                          << "null"
                          << "dust::NullPage"
                          << "null"
                          << "exists and holds null" << qint64(4);
    QTest::newRow("map via an interior path")
        << "put"
        << "users/alice" << QJsonValue(alice) << "users/alice"
        << "map"
        << "dust::JsonPage" << indented(alice) << "assembled. 2 keys." << qint64(-1);
    QTest::newRow("nested array") << "put"
                                  << "matrix" << QJsonValue(matrix) << "matrix"
                                  << "string"
                                  << "dust::JsonPage" << indented(matrix) << "\"string\". 2 items."
                                  << qint64(-1);
    const QJsonObject typed{
        {u"_typed"_s, true}, {u"_type"_s, u"decimal"_s}, {u"value"_s, u"1.50"_s}};
    QTest::newRow("typed envelope")
        << "put"
        << "price" << QJsonValue(typed) << "price"
        << "map"
        << "dust::JsonPage" << indented(typed) << "typed value" << qint64(-1);
    QTest::newRow("set") << "add"
                         << "team" << QJsonValue(QJsonArray{u"bob"_s, u"alice"_s}) << "team"
                         << "set"
                         << "dust::SetPage"
                         << "\"alice\"\n\"bob\""
                         << "2 members" << qint64(-1);
    QTest::newRow("file") << "file"
                          << "files/notes"
                          << QJsonValue(QJsonObject{{u"content"_s, u"twelve bytes"_s},
                                                    {u"filename"_s, u"notes.txt"_s},
                                                    {u"content_type"_s, u"text/plain"_s}})
                          << "files/notes"
                          << "file"
                          << "dust::FilePage"
                          << "~hash: sha256:|size: 12 bytes|content type: text/plain|"
                             "file name: notes.txt|uploaded at: 20"
                          << "" << qint64(-1);
    QTest::newRow("lease") << "lease"
                           << "jobs/nightly"
                           << QJsonValue(
                                  QJsonObject{{u"ttl"_s, 600000}, {u"holder"_s, u"node-a"_s}})
                           << "jobs/nightly"
                           << "lease"
                           << "dust::LeasePage"
                           << "~holder: node-a|token: |expires in |min"
                           << "" << qint64(-1);
}

void TestInspector::pageForEachType()
{
    QFETCH(QString, op);
    QFETCH(QString, writeAt);
    QFETCH(QJsonValue, value);
    QFETCH(QString, readAt);
    QFETCH(QString, type);
    QFETCH(QString, page);
    QFETCH(QString, text);
    QFETCH(QString, note);
    QFETCH(qint64, size);

    const qint64 seq = write(op, path(writeAt), value);
    QVERIFY(seq > 0);
    const Entry entry = read(path(readAt));
    QCOMPARE(entry.type, type);
    QCOMPARE(entry.revision, seq);

    InspectorPanel panel;
    panel.setSource(m_http.get(), kStore);
    panel.show();
    panel.showEntry(entry);
    QVERIFY(!panel.formatter()->isRunning()); // small: shown at once
    QCOMPARE(QString::fromLatin1(panel.currentPage()->metaObject()->className()), page);
    auto *shown = qobject_cast<InspectorPage *>(panel.currentPage());
    QVERIFY(shown);
    QCOMPARE(shown->entry(), entry); // the page knows its entry

    if (text.startsWith(QLatin1Char('~'))) {
        const QStringList parts = text.mid(1).split(QLatin1Char('|'));
        for (const QString &part : parts)
            QVERIFY2(panel.valueText().contains(part),
                     qPrintable(panel.valueText() + QStringLiteral(" lacks ") + part));
    } else {
        QCOMPARE(panel.valueText(), text);
    }
    if (!note.isEmpty())
        QVERIFY2(shown->noteText().contains(note), qPrintable(shown->noteText()));

    const qint64 expectedSize = size >= 0 ? size : compactSize(entry.value);
    const Path where = path(readAt);
    const QStringList header = panel.headerText().split(QLatin1Char('\n'));
    QCOMPARE(header.value(0), QStringLiteral("path: ") + readAt);
    QCOMPARE(header.value(1), QStringLiteral("segments: ") + quotedSegments(where));
    QVERIFY2(header.value(2).startsWith(
                 QStringLiteral("type: %1 · revision: %2 · size: %3")
                     .arg(type)
                     .arg(seq)
                     .arg(expectedSize == 1
                              ? QStringLiteral("1 byte")
                              : QStringLiteral("%1 bytes").arg(QLocale().toString(expectedSize)))),
             qPrintable(header.value(2)));
}

void TestInspector::escapedSegments_data()
{
    QTest::addColumn<QStringList>("segments");
    QTest::addColumn<QString>("rendered");
    QTest::addColumn<QString>("segmentsLine");
    QTest::newRow("tilde and slash") << QStringList{u"a~b"_s, u"x/y"_s} << "a~0b/x~1y"
                                     << QStringLiteral("segments: \"a~b\" → a~0b, \"x/y\" → x~1y");
    QTest::newRow("only escapes") << QStringList{u"~~"_s, u"//"_s} << "~0~0/~1~1"
                                  << QStringLiteral("segments: \"~~\" → ~0~0, \"//\" → ~1~1");
    QTest::newRow("dots, spaces and quotes are literal")
        << QStringList{u"hello.world"_s, u"say \"hi\" "_s} << "hello.world/say \"hi\" "
        << QStringLiteral("segments: \"hello.world\", \"say \\\"hi\\\" \"");
}

void TestInspector::escapedSegments()
{
    QFETCH(QStringList, segments);
    QFETCH(QString, rendered);
    QFETCH(QString, segmentsLine);
    const Path where = test::segments(segments);
    QCOMPARE(where.rendered(), rendered);
    const qint64 seq = write(QStringLiteral("put"), where, QJsonValue(u"v"_s));
    QVERIFY(seq > 0);
    const Entry entry = read(where);
    QCOMPARE(entry.path.segments(), segments);

    InspectorPanel panel;
    panel.showEntry(entry);
    const QStringList header = panel.headerText().split(QLatin1Char('\n'));
    QCOMPARE(header.value(0), QStringLiteral("path: ") + rendered);
    QCOMPARE(header.value(1), segmentsLine);
    QCOMPARE(panel.valueText(), QStringLiteral("v"));
}

// dustlite derives every type itself (it has no import route that copies one verbatim), so
// this entry is made by hand, as the hosted server's import would give it.
void TestInspector::unknownTypeShowsAsJson()
{
    const Entry entry{path(u"imported/x"_s), QJsonArray{1, u"two"_s}, u"list"_s, 3};
    InspectorPanel panel;
    panel.showEntry(entry);
    QCOMPARE(panel.currentPage(), static_cast<QWidget *>(panel.jsonPage()));
    QVERIFY(panel.jsonPage()->noteText().contains(u"\"list\" is not one this browser knows"_s));
    QCOMPARE(panel.valueText(), indented(entry.value));
    QVERIFY(panel.headerText().contains(u"type: list · revision: 3 · size: 9 bytes"_s));
}

void TestInspector::loadingErrorAndNothing()
{
    InspectorPanel panel;
    QVERIFY(panel.headerText().contains(u"Select an entry"_s));
    QVERIFY(panel.valueText().contains(u"Select an entry"_s));

    const Path missing = path(u"no/such/entry"_s);
    panel.showLoading(missing);
    QVERIFY(panel.headerText().startsWith(u"path: no/such/entry"_s));
    QVERIFY(panel.headerText().contains(u"loading…"_s));

    const auto got = await(m_http->get(kStore, missing));
    QVERIFY(!got);
    panel.showError(missing, got.error().message());
    QVERIFY2(panel.headerText().contains(u"Not found"_s), qPrintable(panel.headerText()));
    QVERIFY2(panel.valueText().contains(u"no/such/entry could not be read: Not found"_s),
             qPrintable(panel.valueText()));

    panel.showNothing();
    QVERIFY(panel.headerText().contains(u"Select an entry"_s));
}

void TestInspector::leaseCountsDown()
{
    const Path where = path(u"jobs/short"_s);
    const qint64 seq = write(QStringLiteral("lease"), where,
                             QJsonObject{{u"ttl"_s, 4000}, {u"holder"_s, u"node-b"_s}});
    QVERIFY(seq > 0);
    InspectorPanel panel;
    panel.showEntry(read(where));
    LeasePage *page = panel.leasePage();
    QCOMPARE(panel.currentPage(), static_cast<QWidget *>(page));
    const QString first = page->remainingText();
    QVERIFY2(first.startsWith(u"expires in"_s), qPrintable(first));
    QVERIFY(!page->isExpired());
    QTRY_VERIFY_WITH_TIMEOUT(page->remainingText() != first, 5000);
    QTRY_VERIFY_WITH_TIMEOUT(page->remainingText().startsWith(u"expired"_s), 10000);
    QVERIFY(page->isExpired());
    QVERIFY(panel.valueText().contains(u"expired"_s));
}

void TestInspector::fileDownloadWritesTheExactBytes_data()
{
    QTest::addColumn<QString>("kind");
    QTest::newRow("http") << "http";
    QTest::newRow("sdk") << "sdk";
}

void TestInspector::fileDownloadWritesTheExactBytes()
{
    QFETCH(QString, kind);
    const QByteArray content = randomBytes(300 * 1024, 21);
    const Path where = path(QStringLiteral("files/blob-") + kind);
    const auto up = uploadFile(m_server.wsUrl(), kStore, where.rendered(), content, u"blob.bin"_s,
                               u"application/octet-stream"_s);
    QVERIFY2(up.error.isEmpty(), qPrintable(up.error));

    InspectorPanel panel;
    Transport *source =
        kind == QLatin1String("http") ? static_cast<Transport *>(m_http.get()) : m_live.get();
    panel.setSource(source, kStore);
    panel.show();
    QVERIFY(QTest::qWaitForWindowExposed(&panel));
    panel.showEntry(read(where));
    FilePage *page = panel.filePage();
    QCOMPARE(panel.currentPage(), static_cast<QWidget *>(page));
    QVERIFY(page->downloadButton()->isEnabled());

    QTemporaryDir dir;
    QVERIFY(dir.isValid());
    const QString target = dir.filePath(u"saved.bin"_s);
    QSignalSpy done(page, &FilePage::downloadFinished);
    QTest::mouseClick(page->downloadButton(), Qt::LeftButton);
    QFileDialog *dialog = nullptr;
    QTRY_VERIFY((dialog = page->findChild<QFileDialog *>()) && dialog->isVisible());
    dialog->selectFile(target);
    static_cast<QDialog *>(dialog)->accept(); // QFileDialog's own accept() is protected
    QVERIFY(done.wait(30000));
    QCOMPARE(done.first().at(0).toBool(), true);
    QVERIFY2(page->downloadStatus().startsWith(u"Saved 307200 bytes to"_s),
             qPrintable(page->downloadStatus()));
    QFile saved(target);
    QVERIFY(saved.open(QIODevice::ReadOnly));
    QVERIFY(saved.readAll() == content);
}

void TestInspector::fileDownloadFailuresInWords()
{
    // A file reference whose bytes the server does not have.
    const QString ghostHash = QStringLiteral("sha256:") + QString(64, QLatin1Char('0'));
    const Path where = path(u"files/ghost"_s);
    const QJsonObject ref{{u"_type"_s, u"file"_s},
                          {u"hash"_s, ghostHash},
                          {u"size"_s, 3},
                          {u"content_type"_s, u"text/plain"_s},
                          {u"filename"_s, u"ghost.txt"_s},
                          {u"uploaded_at"_s, u"2026-01-01T00:00:00Z"_s}};
    QVERIFY(write(QStringLiteral("put"), where, ref) > 0);
    const Entry entry = read(where);
    QCOMPARE(entry.type, u"file"_s);

    InspectorPanel panel;
    panel.showEntry(entry);
    FilePage *page = panel.filePage();
    QVERIFY(!page->downloadButton()->isEnabled()); // no source yet

    panel.setSource(m_http.get(), kStore);
    QVERIFY(page->downloadButton()->isEnabled());
    QTemporaryDir dir;
    const QString target = dir.filePath(u"ghost.txt"_s);
    QSignalSpy done(page, &FilePage::downloadFinished);
    page->download(target);
    QVERIFY(done.wait(30000));
    QCOMPARE(done.first().at(0).toBool(), false);
    QVERIFY2(page->downloadStatus().startsWith(u"Download failed: Not found"_s),
             qPrintable(page->downloadStatus()));
    QVERIFY2(page->downloadStatus().contains(ghostHash), qPrintable(page->downloadStatus()));
    QVERIFY(!QFile::exists(target));

    // A real file, saved where no file can be made.
    const auto up =
        uploadFile(m_server.wsUrl(), kStore, u"files/small"_s, "abc", u"a.txt"_s, u"text/plain"_s);
    QVERIFY2(up.error.isEmpty(), qPrintable(up.error));
    panel.showEntry(read(path(u"files/small"_s)));
    const QString nowhere = dir.filePath(u"missing-folder/a.txt"_s);
    done.clear();
    page->download(nowhere);
    QVERIFY(done.wait(30000));
    QCOMPARE(done.first().at(0).toBool(), false);
    QVERIFY2(page->downloadStatus().startsWith(QStringLiteral("Could not save to ")),
             qPrintable(page->downloadStatus()));
}

void TestInspector::fileDownloadCancelSavesNothing()
{
    const QByteArray content = randomBytes(2 * 1024 * 1024, 5);
    const auto up = uploadFile(m_server.wsUrl(), kStore, u"files/cancelled"_s, content, u"c.bin"_s,
                               u"application/octet-stream"_s);
    QVERIFY2(up.error.isEmpty(), qPrintable(up.error));
    InspectorPanel panel;
    panel.setSource(m_http.get(), kStore);
    panel.showEntry(read(path(u"files/cancelled"_s)));
    FilePage *page = panel.filePage();
    QTemporaryDir dir;
    const QString target = dir.filePath(u"c.bin"_s);
    QSignalSpy done(page, &FilePage::downloadFinished);
    page->download(target);
    QVERIFY(page->isDownloading());
    QVERIFY(!page->downloadButton()->isEnabled());
    page->cancelDownload();
    QCOMPARE(done.count(), 1);
    QCOMPARE(done.first().at(0).toBool(), false);
    QCOMPARE(page->downloadStatus(), u"Download cancelled; nothing was saved."_s);
    QVERIFY(page->downloadButton()->isEnabled());
    QVERIFY(!done.wait(2000)); // the cancelled download neither reports nor writes
    QVERIFY(!QFile::exists(target));
    QCOMPARE(page->downloadStatus(), u"Download cancelled; nothing was saved."_s);
    // Downloaded again, it arrives whole.
    page->download(target);
    QVERIFY(done.wait(30000));
    QCOMPARE(done.count(), 2);
    QCOMPARE(done.last().at(0).toBool(), true);
    QFile saved(target);
    QVERIFY(saved.open(QIODevice::ReadOnly));
    QVERIFY(saved.readAll() == content);
}

Entry TestInspector::bigEntry(const QString &kind)
{
    if (!m_big.contains(kind)) {
        const Path where = path(QStringLiteral("big/") + kind);
        const QJsonValue value =
            kind == QLatin1String("array") ? QJsonValue(bigArray()) : QJsonValue(bigString());
        if (write(QStringLiteral("put"), where, value) <= 0)
            return {};
        m_big.insert(kind, read(where));
    }
    return m_big.value(kind);
}

void TestInspector::bigValueStreamsInChunks_data()
{
    QTest::addColumn<QString>("kind");
    QTest::addColumn<QString>("page");
    QTest::newRow("array") << "array"
                           << "dust::JsonPage";
    QTest::newRow("string") << "string"
                            << "dust::StringPage";
}

void TestInspector::bigValueStreamsInChunks()
{
    QFETCH(QString, kind);
    QFETCH(QString, page);
    const Entry entry = bigEntry(kind);
    QVERIFY(entry.path.isValid());
    const QString expected =
        entry.value.isString() ? entry.value.toString() : indented(entry.value);
    QVERIFY(expected.size() > 10 * 1000 * 1000);

    InspectorPanel panel;
    panel.show();
    panel.jsonPage()->setRaw(true); // the JSON page makes a big value's text for Raw only
    ValueFormatter *formatter = panel.formatter();
    QSignalSpy chunks(formatter, &ValueFormatter::chunkReady);
    QSignalSpy finished(formatter, &ValueFormatter::finished);
    QSignalSpy sized(formatter, &ValueFormatter::sized);
    panel.showEntry(entry);
    // showEntry came back before the text was made: it is formatted elsewhere.
    QVERIFY(formatter->isRunning());
    QCOMPARE(chunks.count(), 0);
    QVERIFY(panel.valueText().isEmpty());
    QVERIFY(panel.headerText().contains(u"size: measuring…"_s));
    QCOMPARE(QString::fromLatin1(panel.currentPage()->metaObject()->className()), page);

    QVERIFY(finished.wait(120000));
    QVERIFY2(chunks.count() > 10, qPrintable(QString::number(chunks.count())));
    QCOMPARE(sized.count(), 1);
    QCOMPARE(sized.first().at(0).toLongLong(), compactSize(entry.value));
    QVERIFY(panel.valueText() == expected);
    QVERIFY(panel.headerText().contains(
        QStringLiteral("size: %1 bytes").arg(QLocale().toString(compactSize(entry.value)))));
    auto *view = qobject_cast<InspectorPage *>(panel.currentPage())->textView();
    QVERIFY(!view->isReceiving());
    QVERIFY(!view->wasCancelled());
    // On screen, every line is short enough to lay out.
    QVERIFY(view->editor()->document()->blockCount() > 1000);

    // Shown again unchanged (a live refresh), it is not formatted again.
    panel.showEntry(entry);
    QVERIFY(!formatter->isRunning());
    QVERIFY(panel.valueText() == expected);
}

void TestInspector::cancelStopsFormatting()
{
    const Entry entry = bigEntry(u"array"_s);
    QVERIFY(entry.path.isValid());
    const QString expected = indented(entry.value);

    InspectorPanel panel;
    panel.show();
    QVERIFY(QTest::qWaitForWindowExposed(&panel));
    ValueFormatter *formatter = panel.formatter();
    QSignalSpy chunks(formatter, &ValueFormatter::chunkReady);
    QSignalSpy cancelled(formatter, &ValueFormatter::cancelled);
    QSignalSpy finished(formatter, &ValueFormatter::finished);
    panel.jsonPage()->setRaw(true);
    panel.showEntry(entry);
    QVERIFY(chunks.wait(60000));
    ChunkedTextView *view = panel.jsonPage()->textView();
    QTRY_VERIFY(view->cancelButton()->isVisible());
    QTest::mouseClick(view->cancelButton(), Qt::LeftButton);
    QCOMPARE(cancelled.count(), 1);
    QVERIFY(!formatter->isRunning());

    const QString partial = view->text();
    QVERIFY(!partial.isEmpty());
    QVERIFY(partial.size() < expected.size());
    QVERIFY(expected.startsWith(partial));
    QVERIFY(view->statusText().startsWith(u"Cancelled"_s));
    QVERIFY(panel.valueText().startsWith(partial));
    QVERIFY(panel.valueText().endsWith(u"[cancelled: only part of the value is shown]"_s));
    const int seen = chunks.count();
    QVERIFY(!finished.wait(500)); // nothing more comes
    QCOMPARE(chunks.count(), seen);
    QCOMPARE(view->text(), partial);
}

void TestInspector::newerEntryCancelsOlderFormatting()
{
    const Entry big = bigEntry(u"string"_s);
    QVERIFY(big.path.isValid());
    QVERIFY(write(QStringLiteral("put"), path(u"small"_s), QJsonValue(u"just this"_s)) > 0);
    const Entry small = read(path(u"small"_s));

    InspectorPanel panel;
    panel.jsonPage()->setRaw(true);
    ValueFormatter *formatter = panel.formatter();
    QSignalSpy chunks(formatter, &ValueFormatter::chunkReady);
    QSignalSpy cancelled(formatter, &ValueFormatter::cancelled);
    QSignalSpy finished(formatter, &ValueFormatter::finished);
    panel.showEntry(big);
    QVERIFY(formatter->isRunning());
    panel.showEntry(small);
    QCOMPARE(cancelled.count(), 1);
    QVERIFY(!formatter->isRunning());
    QCOMPARE(panel.valueText(), u"just this"_s);
    QVERIFY(!finished.wait(500)); // the big one's text never arrives
    QCOMPARE(chunks.count(), 0);
    QCOMPARE(panel.valueText(), u"just this"_s);
    QVERIFY(panel.headerText().contains(u"size: 11 bytes"_s));

    // And a big one after a big one: only the newer one's text is delivered.
    const Entry bigArrayEntry = bigEntry(u"array"_s);
    panel.showEntry(big);
    QVERIFY(chunks.wait(60000));
    panel.showEntry(bigArrayEntry);
    QCOMPARE(cancelled.count(), 2);
    QVERIFY(finished.wait(120000));
    QVERIFY(panel.valueText() == indented(bigArrayEntry.value));
}

void TestInspector::bigArrayTextOnlyForRaw()
{
    const Entry entry = bigEntry(u"array"_s);
    QVERIFY(entry.path.isValid());
    InspectorPanel panel;
    panel.show();
    panel.jsonPage()->setRaw(false);
    ValueFormatter *formatter = panel.formatter();
    QSignalSpy chunks(formatter, &ValueFormatter::chunkReady);
    QSignalSpy sized(formatter, &ValueFormatter::sized);
    panel.showEntry(entry);
    // As a tree, the value is measured, and no text is made.
    QVERIFY(sized.wait(60000));
    QTRY_VERIFY(!formatter->isRunning());
    QCOMPARE(chunks.count(), 0);
    QVERIFY(panel.valueText().isEmpty());
    QVERIFY(panel.jsonPage()->model()->rowCount() > 1000);

    // Raw asks for it: it streams in, whole.
    QSignalSpy finished(formatter, &ValueFormatter::finished);
    panel.jsonPage()->rawToggle()->click();
    QVERIFY(panel.jsonPage()->isRaw());
    QVERIFY(finished.wait(120000));
    QVERIFY(chunks.count() > 10);
    QVERIFY(panel.valueText() == indented(entry.value));
}

void TestInspector::formatterWritesWhatQtWrites_data()
{
    QTest::addColumn<QJsonValue>("value");
    QTest::newRow("empty object") << QJsonValue(QJsonObject());
    QTest::newRow("empty array") << QJsonValue(QJsonArray());
    QTest::newRow("nested empties")
        << QJsonValue(QJsonObject{{u"a"_s, QJsonArray()}, {u"b"_s, QJsonObject()}});
    QTest::newRow("numbers") << QJsonValue(QJsonArray{0, -1, 1.5, 1e300, 9007199254740993.0});
    QTest::newRow("escapes and unicode")
        << QJsonValue(QJsonObject{{u"quo\"te\n"_s, u"tab\t \\ ü 😀 \u0001"_s}});
    QTest::newRow("deep") << QJsonValue(
        QJsonArray{QJsonObject{{u"x"_s, QJsonArray{QJsonArray{true, false, QJsonValue()}}}}});
}

void TestInspector::formatterWritesWhatQtWrites()
{
    QFETCH(QJsonValue, value);
    QCOMPARE(ValueFormatter::format(value, ValueFormatter::Style::Json), indented(value));
    QCOMPARE(ValueFormatter::jsonSize(value), compactSize(value));
}

void TestInspector::jsonTreeModel()
{
    JsonTreeModel model;
    QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::QtTest);
    const QJsonObject value{
        {u"name"_s, u"Alice"_s},
        {u"tags"_s, QJsonArray{u"a"_s, QJsonObject{{u"deep"_s, 1}}, QJsonArray()}},
        {u"prefs"_s, QJsonObject{{u"theme"_s, u"dark"_s}, {u"size"_s, 12}}},
        {u"none"_s, QJsonValue()}};
    model.setValue(value);
    QCOMPARE(model.rowCount(), 4);
    QCOMPARE(model.columnCount(), 3);

    // Keys in QJsonObject order: name, none, prefs, tags.
    const QModelIndex tags = model.index(3, JsonTreeModel::KeyColumn);
    QCOMPARE(tags.data().toString(), u"tags"_s);
    QCOMPARE(tags.siblingAtColumn(JsonTreeModel::ValueColumn).data().toString(), u"[3 items]"_s);
    QCOMPARE(tags.siblingAtColumn(JsonTreeModel::TypeColumn).data().toString(), u"array"_s);
    QCOMPARE(model.rowCount(tags), 3);
    const QModelIndex second = model.index(1, 0, tags);
    QCOMPARE(second.data().toString(), u"1"_s);
    QCOMPARE(second.siblingAtColumn(1).data().toString(), u"{1 key}"_s);
    QCOMPARE(model.parent(second), tags);
    const QModelIndex deep = model.index(0, 1, second);
    QCOMPARE(deep.data().toString(), u"1"_s);
    QCOMPARE(model.valueAt(deep), QJsonValue(1));
    QVERIFY(!model.hasChildren(model.index(2, 0, tags))); // the empty array
    QCOMPARE(model.index(1, JsonTreeModel::ValueColumn).data().toString(), u"null"_s);
    QCOMPARE(model.index(0, JsonTreeModel::ValueColumn).data().toString(), u"Alice"_s);

    // A view walking all of it, and a new value replacing it, under the tester.
    QTreeView view;
    view.setModel(&model);
    view.expandAll();
    model.setValue(QJsonArray{1, QJsonArray{2, 3}});
    view.expandAll();
    QCOMPARE(model.rowCount(model.index(1, 0)), 2);
    model.setValue(QJsonValue(u"a scalar"_s)); // one row, the value itself
    QCOMPARE(model.rowCount(), 1);
    QCOMPARE(model.index(0, JsonTreeModel::ValueColumn).data().toString(), u"a scalar"_s);
    QVERIFY(!model.hasChildren(model.index(0, 0)));
}

// No QAbstractItemModelTester here: it visits every row, which is what this test shows the
// model does not do on its own (jsonTreeModel() runs the tester).
void TestInspector::jsonTreeIsBuiltLazily()
{
    JsonTreeModel model;
    QJsonArray many;
    for (int i = 0; i < 10000; ++i)
        many.append(QJsonObject{{u"i"_s, i}});
    model.setValue(many);
    QCOMPARE(model.rowCount(), 10000);
    QCOMPARE(model.builtNodes(), 1); // the root only
    // A view lays out every top row (an index each) and paints some: no node for any.
    QTreeView view;
    QVERIFY(showTree(view, &model));
    QVERIFY(view.visualRect(model.index(0, 0)).isValid());
    QCOMPARE(model.builtNodes(), 1);
    const QModelIndex item = model.index(5000, 0);
    QCOMPARE(model.valueAt(item), QJsonValue(QJsonObject{{u"i"_s, 5000}}));
    QCOMPARE(model.rowCount(item), 1);
    QCOMPARE(model.builtNodes(), 1);
    // Opened, the item is a node: the parent of its member's index.
    const QModelIndex member = model.index(0, JsonTreeModel::ValueColumn, item);
    QCOMPARE(member.data().toString(), u"5000"_s);
    QCOMPARE(model.parent(member), item);
    QCOMPARE(model.builtNodes(), 2);
}

// A quarter of a million items would be laid out row by row at once; the top rows come in
// pages as the view scrolls to the end instead.
void TestInspector::jsonTreeShowsBigValuesInPages()
{
    JsonTreeModel model;
    QJsonArray many;
    for (int i = 0; i < 25000; ++i)
        many.append(i);
    model.setValue(many);
    QCOMPARE(model.totalTopRows(), 25000);
    QCOMPARE(model.rowCount(), JsonTreeModel::kFirstTopRows);
    QVERIFY(model.canFetchMore({}));

    {
        QTreeView view;
        QVERIFY(showTree(view, &model));
        QSignalSpy inserted(&model, &QAbstractItemModel::rowsInserted);
        for (int page = 0; page < 5 && model.canFetchMore({}); ++page) {
            const qsizetype before = inserted.count();
            view.scrollToBottom();
            QTRY_VERIFY(inserted.count() > before);
        }
        QVERIFY(inserted.count() >= 1); // scrolling fetched (the view may fetch a page itself)
    }
    QCOMPARE(model.rowCount(), 25000);
    QVERIFY(!model.canFetchMore({}));
    QCOMPARE(model.index(24999, JsonTreeModel::ValueColumn).data().toString(), u"24999"_s);
    QCOMPARE(model.index(24999, JsonTreeModel::KeyColumn).data().toString(), u"24999"_s);

    // A new value starts again with the first page.
    model.setValue(many);
    QCOMPARE(model.rowCount(), JsonTreeModel::kFirstTopRows);
    // The tester checks the pages (it fetches more itself). It is made only now: it runs its
    // checks, fetchMore() included, from modelReset before it counts the reset as done.
    QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::QtTest);
    QVERIFY(model.rowCount() > JsonTreeModel::kFirstTopRows);
}

// Squeezed to its narrowest beside a wide neighbour (as the history pane does to it), the
// panel still shows Change type…, Cancel and Save whole.
void TestInspector::narrowestKeepsTheButtonsWhole()
{
    QSplitter splitter;
    auto *wide = new QWidget(&splitter);
    wide->setMinimumWidth(100);
    auto *panel = new InspectorPanel(&splitter);
    panel->setMinimumWidth(panel->narrowestWidth());
    splitter.addWidget(wide);
    splitter.addWidget(panel);
    splitter.resize(900, 500);
    splitter.show();
    QVERIFY(QTest::qWaitForWindowExposed(&splitter));
    splitter.setSizes({10000, 1});
    QTRY_COMPARE(panel->width(), panel->narrowestWidth());
    EntryEditor *editor = panel->editor();
    editor->show();
    for (QWidget *button : std::initializer_list<QWidget *>{
             editor->typeButton(), editor->cancelButton(), editor->saveButton()})
        QVERIFY2(button->width() >= button->sizeHint().width(),
                 qPrintable(QStringLiteral("%1: %2 < %3")
                                .arg(button->accessibleName())
                                .arg(button->width())
                                .arg(button->sizeHint().width())));
}

void TestInspector::everyControlHasAnAccessibleName()
{
    InspectorPanel panel;
    panel.setSource(m_http.get(), kStore); // Download… enabled too
    const auto widgets = panel.findChildren<QWidget *>();
    int checked = 0;
    for (QWidget *widget : widgets) {
        if (widget->focusPolicy() == Qt::NoFocus)
            continue;
        if (qobject_cast<QAbstractButton *>(widget) || qobject_cast<QAbstractItemView *>(widget) ||
            qobject_cast<QPlainTextEdit *>(widget)) {
            QVERIFY2(!widget->accessibleName().isEmpty(), widget->metaObject()->className());
            ++checked;
        }
    }
    // Cancel ×2, Raw, Download, Cancel download; two text areas, the tree and the set list.
    QVERIFY2(checked >= 9, qPrintable(QString::number(checked)));
}

QTEST_MAIN(TestInspector)
#include "tst_inspector.moc"
