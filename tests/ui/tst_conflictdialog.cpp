// ConflictDialog on its own: the three sides as formatted JSON with the differing lines
// marked, the revisions and the device in its words, each button (and Escape) reporting its
// choice once, and every control named for assistive technology.

#include "edit/ConflictDialog.h"

#include <QJsonObject>
#include <QLabel>
#include <QPlainTextEdit>
#include <QPushButton>
#include <QSignalSpy>
#include <QTest>

using namespace dust;

namespace {

ConflictDialog::Sides sides()
{
    ConflictDialog::Sides s;
    s.path = Path::parse(QStringLiteral("users/alice")).value();
    s.base =
        QJsonObject{{QStringLiteral("age"), 30}, {QStringLiteral("name"), QStringLiteral("Alice")}};
    s.theirs =
        QJsonObject{{QStringLiteral("age"), 31}, {QStringLiteral("name"), QStringLiteral("Alice")}};
    s.mine =
        QJsonObject{{QStringLiteral("age"), 30}, {QStringLiteral("name"), QStringLiteral("Al")}};
    s.baseRevision = 12;
    s.theirRevision = 15;
    s.theirDevice = QStringLiteral("dev_other");
    return s;
}

QStringList markedLines(const QString &text, QChar sign)
{
    QStringList out;
    for (const QString &line : text.split(QLatin1Char('\n'))) {
        if (line.startsWith(sign))
            out.append(line.mid(2).trimmed());
    }
    return out;
}

} // namespace

class TestConflictDialog : public QObject
{
    Q_OBJECT

private slots:
    void showsTheSidesWithTheDifferencesMarked();
    void saysWhoAndWhichRevisions();
    void eachChoiceIsReportedOnce_data();
    void eachChoiceIsReportedOnce();
    void controlsAreNamed();
};

void TestConflictDialog::showsTheSidesWithTheDifferencesMarked()
{
    ConflictDialog dialog(sides());
    QCOMPARE(markedLines(dialog.theirsText(), QLatin1Char('+')),
             QStringList{QStringLiteral("\"age\": 31,")});
    QCOMPARE(markedLines(dialog.mineText(), QLatin1Char('+')),
             QStringList{QStringLiteral("\"name\": \"Al\"")});
    QCOMPARE(markedLines(dialog.baseText(), QLatin1Char('-')),
             (QStringList{QStringLiteral("\"age\": 30,"), QStringLiteral("\"name\": \"Alice\"")}));
    // Unchanged lines are shown unmarked.
    QVERIFY(dialog.theirsText().contains(QLatin1String("\n      \"name\": \"Alice\"")));
}

void TestConflictDialog::saysWhoAndWhichRevisions()
{
    ConflictDialog dialog(sides());
    QString words;
    for (const QLabel *label : dialog.findChildren<QLabel *>())
        words += label->text() + QLatin1Char('\n');
    QVERIFY2(words.contains(QLatin1String("dev_other")), qPrintable(words));
    QVERIFY(words.contains(QLatin1String("revision 12")));
    QVERIFY(words.contains(QLatin1String("revision 15")));
    QVERIFY(dialog.windowTitle().contains(QLatin1String("users/alice")));

    ConflictDialog::Sides gone = sides();
    gone.theirs = QJsonValue(QJsonValue::Undefined);
    gone.theirRevision.reset();
    gone.theirDevice.clear();
    ConflictDialog deleted(gone);
    QString deletedWords;
    for (const QLabel *label : deleted.findChildren<QLabel *>())
        deletedWords += label->text();
    QVERIFY2(deletedWords.contains(QLatin1String("deleted")), qPrintable(deletedWords));
    QVERIFY(deleted.theirsText().isEmpty());
}

void TestConflictDialog::eachChoiceIsReportedOnce_data()
{
    QTest::addColumn<QString>("how");
    QTest::addColumn<int>("expected");
    QTest::newRow("reload") << QStringLiteral("reload") << int(ConflictDialog::Choice::Reload);
    QTest::newRow("overwrite") << QStringLiteral("overwrite")
                               << int(ConflictDialog::Choice::Overwrite);
    QTest::newRow("keep mine") << QStringLiteral("keep") << int(ConflictDialog::Choice::KeepMine);
    QTest::newRow("escape") << QStringLiteral("escape") << int(ConflictDialog::Choice::KeepMine);
    QTest::newRow("enter (the default)")
        << QStringLiteral("enter") << int(ConflictDialog::Choice::KeepMine);
}

void TestConflictDialog::eachChoiceIsReportedOnce()
{
    QFETCH(QString, how);
    QFETCH(int, expected);
    ConflictDialog dialog(sides());
    dialog.show();
    QVERIFY(QTest::qWaitForWindowExposed(&dialog));
    QSignalSpy chosen(&dialog, &ConflictDialog::chosen);
    if (how == QLatin1String("reload"))
        QTest::mouseClick(dialog.button(ConflictDialog::Choice::Reload), Qt::LeftButton);
    else if (how == QLatin1String("overwrite"))
        QTest::mouseClick(dialog.button(ConflictDialog::Choice::Overwrite), Qt::LeftButton);
    else if (how == QLatin1String("keep"))
        QTest::mouseClick(dialog.button(ConflictDialog::Choice::KeepMine), Qt::LeftButton);
    else if (how == QLatin1String("escape"))
        QTest::keyClick(&dialog, Qt::Key_Escape);
    else
        QTest::keyClick(&dialog, Qt::Key_Return);
    QCOMPARE(chosen.size(), 1);
    QCOMPARE(int(chosen.first().at(0).value<ConflictDialog::Choice>()), expected);
    QVERIFY(!dialog.isVisible());
}

void TestConflictDialog::controlsAreNamed()
{
    ConflictDialog dialog(sides());
    for (const QPushButton *button : dialog.findChildren<QPushButton *>()) {
        QVERIFY2(!button->accessibleName().isEmpty(), qPrintable(button->text()));
        QVERIFY(!button->accessibleDescription().isEmpty());
    }
    for (const QPlainTextEdit *edit : dialog.findChildren<QPlainTextEdit *>())
        QVERIFY(!edit->accessibleName().isEmpty());
    int buddies = 0;
    for (const QLabel *label : dialog.findChildren<QLabel *>())
        buddies += label->buddy() ? 1 : 0;
    QCOMPARE(buddies, 3);
}

QTEST_MAIN(TestConflictDialog)
#include "tst_conflictdialog.moc"
