// JsonEditor on its own: live validation with the line and column of the first fault,
// Format and Compact, read-only mode, the palette (a dark palette gives a dark editor, and a
// palette change re-colours it), and a text of several megabytes set at once: setText
// returns with all of it there (what it costs is printed, not asserted).

#include "edit/JsonEditor.h"

#include <Qsci/qscilexerjson.h>
#include <Qsci/qsciscintilla.h>

#include <QElapsedTimer>
#include <QJsonArray>
#include <QJsonObject>
#include <QLabel>
#include <QPushButton>
#include <QSignalSpy>
#include <QTest>

using namespace dust;

class TestJsonEditor : public QObject
{
    Q_OBJECT

private slots:
    void validation_data();
    void validation();
    void validityChangedIsSignalled();
    void formatAndCompact();
    void readOnly();
    void paletteChangeRecolours();
    void largeDocument();
};

void TestJsonEditor::validation_data()
{
    QTest::addColumn<QString>("text");
    QTest::addColumn<bool>("valid");
    QTest::addColumn<QString>("message"); // its start
    QTest::newRow("object") << R"({"a": [1, 2.5, true, null]})" << true << "Valid JSON.";
    QTest::newRow("scalar") << "12" << true << "Valid JSON.";
    QTest::newRow("string") << "\"text\"" << true << "Valid JSON.";
    QTest::newRow("empty") << "" << false << "Empty";
    QTest::newRow("missing colon") << "{\"a\" 1}" << false << "Line 1, column 6: ";
    QTest::newRow("second line") << "[1,\n 2,,\n]" << false << "Line 2, column 4: ";
    QTest::newRow("fourth line, after tabs")
        << "{\n\t\"a\": 1,\n\t\"b\": [\n\t\tx]}" << false << "Line 4, column 3: ";
    QTest::newRow("after non-ASCII") << "[\"日本\", oops]" << false << "Line 1, column 8: ";
    QTest::newRow("after an emoji") << "[\"😀\" 1]" << false << "Line 1, column 6: ";
    QTest::newRow("trailing data") << "[1] [2]" << false << "Line 1, column 5: ";
    QTest::newRow("unterminated") << "{\"a\": \"b" << false << "Line 1, column 9: ";
}

void TestJsonEditor::validation()
{
    QFETCH(QString, text);
    QFETCH(bool, valid);
    QFETCH(QString, message);
    JsonEditor editor;
    editor.setText(text);
    QCOMPARE(editor.isValid(), valid);
    QVERIFY2(editor.message().startsWith(message), qPrintable(editor.message()));
    QCOMPARE(editor.messageLabel()->text(), editor.message());
    QCOMPARE(editor.value().has_value(), valid);
    QCOMPARE(editor.formatButton()->isEnabled(), valid);
}

void TestJsonEditor::validityChangedIsSignalled()
{
    JsonEditor editor;
    editor.show();
    QVERIFY(QTest::qWaitForWindowExposed(&editor));
    QSignalSpy changed(&editor, &JsonEditor::validityChanged);
    editor.editor()->setFocus();
    QTest::keyClicks(editor.editor(), QStringLiteral("[1"));
    QVERIFY(!editor.isValid());
    QTest::keyClicks(editor.editor(), QStringLiteral("]"));
    QVERIFY(editor.isValid());
    QVERIFY(changed.count() >= 2);
    QCOMPARE(changed.last().at(0).toBool(), true);
    QCOMPARE(editor.value(), QJsonValue(QJsonArray{1}));
}

void TestJsonEditor::formatAndCompact()
{
    JsonEditor editor;
    editor.setText(QStringLiteral(R"({"b":[1,2],"a":"x"})"));
    QTest::mouseClick(editor.formatButton(), Qt::LeftButton);
    QCOMPARE(editor.text(), QStringLiteral("{\n    \"a\": \"x\",\n    \"b\": [\n        1,\n"
                                           "        2\n    ]\n}"));
    QVERIFY(editor.isValid());
    QTest::mouseClick(editor.compactButton(), Qt::LeftButton);
    QCOMPARE(editor.text(), QStringLiteral(R"({"a":"x","b":[1,2]})"));
    // Invalid text is left alone.
    editor.setText(QStringLiteral("[1,"));
    editor.format();
    QCOMPARE(editor.text(), QStringLiteral("[1,"));
    QVERIFY(!editor.formatButton()->isEnabled());
}

void TestJsonEditor::readOnly()
{
    JsonEditor editor;
    editor.setText(QStringLiteral("[1]"));
    editor.setReadOnly(true);
    QVERIFY(editor.isReadOnly());
    QVERIFY(editor.editor()->isReadOnly());
    QVERIFY(editor.formatButton()->isHidden());
    editor.show();
    QVERIFY(QTest::qWaitForWindowExposed(&editor));
    editor.editor()->setFocus();
    QTest::keyClicks(editor.editor(), QStringLiteral("xyz"));
    QCOMPARE(editor.text(), QStringLiteral("[1]"));
    editor.compact();
    QCOMPARE(editor.text(), QStringLiteral("[1]"));
}

void TestJsonEditor::paletteChangeRecolours()
{
    JsonEditor editor;
    editor.setText(QStringLiteral(R"({"a": 1})"));
    QPalette light;
    light.setColor(QPalette::Base, QColor(0xff, 0xff, 0xff));
    light.setColor(QPalette::Text, QColor(0x10, 0x10, 0x10));
    editor.setPalette(light);
    QCOMPARE(editor.lexer()->paper(QsciLexerJSON::Default), QColor(0xff, 0xff, 0xff));
    QCOMPARE(editor.lexer()->color(QsciLexerJSON::Default), QColor(0x10, 0x10, 0x10));
    const QColor lightString = editor.lexer()->color(QsciLexerJSON::String);
    QVERIFY(lightString.lightness() < 128); // dark ink on white

    QPalette dark;
    dark.setColor(QPalette::Base, QColor(0x1e, 0x1e, 0x1e));
    dark.setColor(QPalette::Window, QColor(0x2b, 0x2b, 0x2b));
    dark.setColor(QPalette::Text, QColor(0xe0, 0xe0, 0xe0));
    editor.setPalette(dark);
    QCOMPARE(editor.lexer()->paper(QsciLexerJSON::Default), QColor(0x1e, 0x1e, 0x1e));
    QCOMPARE(editor.lexer()->paper(QsciLexerJSON::Property), QColor(0x1e, 0x1e, 0x1e));
    QCOMPARE(editor.lexer()->color(QsciLexerJSON::Default), QColor(0xe0, 0xe0, 0xe0));
    const QColor darkString = editor.lexer()->color(QsciLexerJSON::String);
    QVERIFY(darkString.lightness() > 128); // light ink on dark
    QVERIFY(darkString != lightString);
    // What Scintilla itself paints with follows too (its colours are 0xBBGGRR).
    const long back =
        editor.editor()->SendScintilla(QsciScintillaBase::SCI_STYLEGETBACK, QsciLexerJSON::Default);
    QCOMPARE(QColor(int(back & 0xff), int((back >> 8) & 0xff), int((back >> 16) & 0xff)),
             QColor(0x1e, 0x1e, 0x1e));
}

void TestJsonEditor::largeDocument()
{
    QJsonArray items;
    for (int i = 0; i < 60000; ++i)
        items.append(QJsonObject{{QStringLiteral("id"), i},
                                 {QStringLiteral("name"), QStringLiteral("item number %1").arg(i)},
                                 {QStringLiteral("tags"), QJsonArray{QStringLiteral("a"), i % 7}}});
    const QString text = JsonEditor::textOf(items, true);
    QVERIFY2(text.size() > 5 * 1000 * 1000, qPrintable(QString::number(text.size())));

    JsonEditor editor;
    editor.resize(800, 600);
    editor.show();
    QVERIFY(QTest::qWaitForWindowExposed(&editor));
    QElapsedTimer timer;
    timer.start();
    editor.setText(text);
    const qint64 setMs = timer.elapsed();
    QCOMPARE(editor.editor()->length(), text.toUtf8().size());
    QCOMPARE(editor.text().size(), text.size());
    QVERIFY(editor.isValid());
    timer.restart();
    QTest::qWait(0); // one paint of the first screen
    editor.repaint();
    const qint64 paintMs = timer.elapsed();
    qInfo("JsonEditor: %lld characters: setText (with the check) %lld ms, first paint %lld ms",
          qint64(text.size()), setMs, paintMs);
    // Typing in a big text checks it later, and until then it cannot pass as valid.
    editor.editor()->setCursorPosition(0, 1);
    editor.editor()->insert(QStringLiteral(" "));
    QVERIFY(!editor.isValid());
    QTRY_VERIFY(editor.isValid());
    QCOMPARE(editor.value()->toArray().size(), items.size());
}

QTEST_MAIN(TestJsonEditor)
#include "tst_jsoneditor.moc"
