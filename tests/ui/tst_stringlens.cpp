// Value formatters of the string page: which lenses fit which strings (JSON inside a string,
// base64 as text or hex, ISO-8601 and Unix times, http(s) links), and what each shows. Then
// on a real dustlite: a string holding JSON, base64 or a time is shown in the inspector, the
// view is switched from the keyboard, and nothing that is saved changes: the page's value
// text and the edit form keep the raw string, Save sends the raw string (or nothing), and
// the server still holds it at the same revision.

#include "InProcessDustlite.h"
#include "TestAwait.h"

#include "inspector/ChunkedTextView.h"
#include "inspector/EntryEditor.h"
#include "inspector/InspectorPanel.h"
#include "inspector/ScalarForm.h"
#include "inspector/StringFormatterView.h"
#include "inspector/StringLensDetector.h"
#include "inspector/StringLensFormatter.h"
#include "inspector/StringPage.h"
#include "transport/HttpTransport.h"

#include <QCheckBox>
#include <QComboBox>
#include <QLabel>
#include <QLineEdit>
#include <QPlainTextEdit>
#include <QScopeGuard>
#include <QSignalSpy>
#include <QTest>

#include <ctime>

using namespace dust;
using namespace dust::test;

Q_DECLARE_METATYPE(QList<dust::StringLens>)

namespace {

const QString kStore = QStringLiteral("local/demo");

QString formText(const ScalarForm *form)
{
    // A text with a line break is held by the several-lines field.
    return form->multiLineToggle()->isChecked() ? form->textEdit()->toPlainText()
                                                : form->lineEdit()->text();
}

} // namespace

class TestStringLens : public QObject
{
    Q_OBJECT

private slots:
    void detection_data();
    void detection();
    void formatting_data();
    void formatting();
    void localTime();
    void formattersNeverChangeTheSavedValue_data();
    void formattersNeverChangeTheSavedValue();
};

void TestStringLens::detection_data()
{
    using L = StringLens;
    QTest::addColumn<QString>("text");
    QTest::addColumn<QList<StringLens>>("lenses");

    QTest::newRow("plain words") << "hello world" << QList<L>{L::Raw};
    QTest::newRow("json object") << R"({"a": [1, 2], "b": {"c": null}})"
                                 << QList<L>{L::Raw, L::Json};
    QTest::newRow("json array with blanks") << "  [1, \"x\"]\n" << QList<L>{L::Raw, L::Json};
    QTest::newRow("broken json") << R"({"a": )" << QList<L>{L::Raw};
    QTest::newRow("json scalar is not offered") << "42" << QList<L>{L::Raw};
    QTest::newRow("base64 of text") << "aGVsbG8gd29ybGQh" // "hello world!"
                                    << QList<L>{L::Raw, L::Base64Text, L::Base64Hex};
    QTest::newRow("base64 padded") << "SGVsbG8sIERVU1Qh" // "Hello, DUST!"
                                   << QList<L>{L::Raw, L::Base64Text, L::Base64Hex};
    QTest::newRow("base64 of bytes") << "AAECAwQFBgcICQoL/w==" << QList<L>{L::Raw, L::Base64Hex};
    QTest::newRow("base64url") << "_-_-AAECAwQF" << QList<L>{L::Raw, L::Base64Hex};
    QTest::newRow("too short for base64") << "abcd1234" << QList<L>{L::Raw};
    QTest::newRow("hex digest is not base64")
        << "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08" << QList<L>{L::Raw};
    QTest::newRow("bad padding") << "aGVsbG8gd29ybGQ=x" << QList<L>{L::Raw};
    QTest::newRow("mixed alphabets") << "ab+cd_efghijkl" << QList<L>{L::Raw};
    QTest::newRow("iso date-time") << "2026-12-06T10:09:00Z" << QList<L>{L::Raw, L::Time};
    QTest::newRow("iso with offset and ms")
        << "2026-12-06T11:09:00.250+01:00" << QList<L>{L::Raw, L::Time};
    QTest::newRow("iso date only") << "2026-12-06" << QList<L>{L::Raw, L::Time};
    QTest::newRow("iso with a space") << "2026-12-06 10:09:00" << QList<L>{L::Raw, L::Time};
    QTest::newRow("not a date") << "2026-13-45" << QList<L>{L::Raw};
    QTest::newRow("unix seconds") << "1796551740" << QList<L>{L::Raw, L::Time};
    QTest::newRow("unix milliseconds") << "1796551740250" << QList<L>{L::Raw, L::Time};
    QTest::newRow("too early for a time") << "0000000001" << QList<L>{L::Raw};
    QTest::newRow("other digit counts") << "12345" << QList<L>{L::Raw};
    QTest::newRow("https link") << "https://dustlayer.io/docs?x=1#y" << QList<L>{L::Raw, L::Link};
    QTest::newRow("http link") << "http://127.0.0.1:7755/healthz" << QList<L>{L::Raw, L::Link};
    QTest::newRow("link with blanks") << "https://a.b/c d" << QList<L>{L::Raw};
    QTest::newRow("other scheme") << "ftp://example.com/x" << QList<L>{L::Raw};
    QTest::newRow("javascript is no link") << "javascript:alert(1)" << QList<L>{L::Raw};
    QTest::newRow("too big to examine")
        << QString(StringLensDetector::maxLength() + 1, QLatin1Char('[')) << QList<L>{L::Raw};
}

void TestStringLens::detection()
{
    QFETCH(QString, text);
    QFETCH(QList<StringLens>, lenses);
    QCOMPARE(StringLensDetector::detect(text), lenses);
}

void TestStringLens::formatting_data()
{
    QTest::addColumn<QString>("text");
    QTest::addColumn<StringLens>("lens");
    QTest::addColumn<QString>("shown");

    QTest::newRow("json pretty") << R"({"a":[1,2]})" << StringLens::Json
                                 << "{\n    \"a\": [\n        1,\n        2\n    ]\n}\n";
    QTest::newRow("base64 text") << "aGVsbG8gd29ybGQh" << StringLens::Base64Text << "hello world!";
    QTest::newRow("base64 hex") << "AAECAwQFBgcICQoL/w==" << StringLens::Base64Hex
                                << "13 decoded bytes:\n"
                                   "00000000  00 01 02 03 04 05 06 07 08 09 0a 0b ff          "
                                   " .............\n";
    QTest::newRow("link") << "https://dustlayer.io/a?b=1" << StringLens::Link
                          << "https://dustlayer.io/a?b=1";
    QTest::newRow("raw is the string") << "x y" << StringLens::Raw << "x y";
    QTest::newRow("a lens that does not fit says so")
        << "plain" << StringLens::Json << "This text is not a JSON object or array.";
}

void TestStringLens::formatting()
{
    QFETCH(QString, text);
    QFETCH(StringLens, lens);
    QFETCH(QString, shown);
    QCOMPARE(StringLensFormatter::format(lens, text), shown);
}

void TestStringLens::localTime()
{
    // The same moment written three ways is shown the same, in local time, with UTC. Local
    // time is made to differ from UTC (India, +05:30), so showing UTC as local fails.
    const QByteArray oldTz = qgetenv("TZ");
    qputenv("TZ", "Asia/Kolkata");
    tzset();
    const auto restore = qScopeGuard([&oldTz] {
        if (oldTz.isEmpty())
            qunsetenv("TZ");
        else
            qputenv("TZ", oldTz);
        tzset();
    });
    const QDateTime moment =
        QDateTime::fromString(QStringLiteral("2026-12-06T10:09:00Z"), Qt::ISODate);
    const QString seconds = QString::number(moment.toSecsSinceEpoch());
    const QString millis = QString::number(moment.toMSecsSinceEpoch());
    const QString iso =
        StringLensFormatter::format(StringLens::Time, QStringLiteral("2026-12-06T10:09:00Z"));
    const QString fromSeconds = StringLensFormatter::format(StringLens::Time, seconds);
    const QString fromMillis = StringLensFormatter::format(StringLens::Time, millis);
    QCOMPARE(moment.toLocalTime().time(), QTime(15, 39));
    const QString local = QLocale().toString(moment.toLocalTime(), QLocale::LongFormat);
    for (const QString &shown : {iso, fromSeconds, fromMillis}) {
        QVERIFY2(shown.startsWith(local), qPrintable(shown));
        QVERIFY2(shown.contains(QStringLiteral("2026-12-06T10:09:00.000Z UTC")), qPrintable(shown));
    }
    QVERIFY(iso.contains(QStringLiteral("ISO-8601")));
    QVERIFY(fromSeconds.contains(QStringLiteral("seconds")));
    QVERIFY(fromMillis.contains(QStringLiteral("milliseconds")));
}

void TestStringLens::formattersNeverChangeTheSavedValue_data()
{
    QTest::addColumn<QString>("raw");
    QTest::addColumn<StringLens>("lens");
    QTest::addColumn<QString>("shownContains");

    QTest::newRow("json") << R"({"user":{"name":"Ann","tags":["a","b"]}})" << StringLens::Json
                          << "        \"name\": \"Ann\",";
    QTest::newRow("multi-line json") << "[\n1,\n2\n]" << StringLens::Json << "    1,\n";
    QTest::newRow("base64 text") << "aGVsbG8gd29ybGQh" << StringLens::Base64Text << "hello world!";
    QTest::newRow("base64 hex") << "AAECAwQFBgcICQoL/w==" << StringLens::Base64Hex << "0a 0b ff";
    QTest::newRow("unix ms") << "1796551740250" << StringLens::Time << "UTC";
    QTest::newRow("iso") << "2026-12-06T10:09:00Z" << StringLens::Time << "ISO-8601";
    QTest::newRow("link") << "https://dustlayer.io/x" << StringLens::Link << "href=";
}

void TestStringLens::formattersNeverChangeTheSavedValue()
{
    QFETCH(QString, raw);
    QFETCH(StringLens, lens);
    QFETCH(QString, shownContains);

    InProcessDustlite dustlite;
    QVERIFY2(dustlite.start(), qPrintable(dustlite.errorString()));
    HttpTransport http(dustlite.baseUrl(), QStringLiteral("dust_tok_dev"));
    const Path where = path(QStringLiteral("lens/value"));
    const auto put = await(http.put(kStore, where, raw));
    QVERIFY(put);
    const auto entry = await(http.get(kStore, where));
    QVERIFY(entry);

    InspectorPanel panel;
    panel.setSource(&http, kStore);
    panel.resize(700, 600);
    panel.show();
    QVERIFY(QTest::qWaitForWindowExposed(&panel));
    panel.showEntry(*entry);
    QCOMPARE(panel.currentPage(), static_cast<QWidget *>(panel.stringPage()));
    StringFormatterView *view = panel.stringPage()->formatterView();
    QVERIFY(view->lenses().contains(lens));
    QVERIFY(view->selector()->isVisible());
    QCOMPARE(view->lens(), StringLens::Raw);

    // Switch from the keyboard: focus the switch, Down until the lens is shown.
    view->selector()->setFocus();
    QTRY_VERIFY(view->selector()->hasFocus());
    QSignalSpy changed(view, &StringFormatterView::lensChanged);
    for (int i = 0; i < view->lenses().size() && view->lens() != lens; ++i)
        QTest::keyClick(view->selector(), Qt::Key_Down);
    QCOMPARE(view->lens(), lens);
    QVERIFY(!changed.isEmpty());
    const QString shown =
        lens == StringLens::Link ? view->linkLabel()->text() : view->formattedView()->toPlainText();
    QVERIFY2(shown.contains(shownContains), qPrintable(shown));
    QVERIFY(!panel.stringPage()->textView()->isVisible()); // the lens replaces the raw text

    // Nothing saved changes: the page's value, the form, what Save sends, the server.
    QCOMPARE(panel.stringPage()->valueText(), raw);
    EntryEditor *editor = panel.editor();
    QCOMPARE(editor->currentForm(), static_cast<EditForm *>(editor->scalarForm()));
    QCOMPARE(formText(editor->scalarForm()), raw);
    QVERIFY(!editor->hasUnsavedInput());
    QSignalSpy requested(editor, &EntryEditor::editRequested);
    editor->save();
    for (const QList<QVariant> &call : std::as_const(requested)) {
        const auto request = call.at(0).value<EditRequest>();
        QCOMPARE(request.value, QJsonValue(raw));
        QVERIFY(await(http.put(kStore, request.path, request.value)));
    }
    const auto after = await(http.get(kStore, where));
    QVERIFY(after);
    QCOMPARE(after->value, QJsonValue(raw));
    if (requested.isEmpty())
        QCOMPARE(after->revision, entry->revision);

    // Back to Raw: the page's own text again.
    QVERIFY(view->setLens(StringLens::Raw));
    QVERIFY(panel.stringPage()->textView()->isVisible());
    QVERIFY(!view->formattedView()->isVisible());
}

QTEST_MAIN(TestStringLens)
#include "tst_stringlens.moc"
