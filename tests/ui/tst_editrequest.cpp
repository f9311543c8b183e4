#include "edit/EditRequest.h"

#include <QJsonArray>
#include <QJsonObject>
#include <QTest>

using namespace dust;
using namespace Qt::StringLiterals;

Q_DECLARE_METATYPE(dust::EditRequest)

namespace {

EditRequest request(EditRequest::Kind kind, const QString &path, const QJsonValue &value)
{
    EditRequest r;
    r.kind = kind;
    r.path = Path::parse(path).value();
    r.value = value;
    return r;
}

} // namespace

class TestEditRequest : public QObject
{
    Q_OBJECT
private slots:
    void summary_data()
    {
        QTest::addColumn<EditRequest>("edit");
        QTest::addColumn<QString>("expected");

        EditRequest set = request(EditRequest::Kind::Set, u"users/alice/name"_s, u"Bob"_s);
        set.ifMatch = 12;
        QTest::newRow("set if match")
            << set << uR"(set users/alice/name = "Bob" (if revision 12))"_s;
        EditRequest create = request(EditRequest::Kind::Set, u"a~1b/c"_s, 3);
        create.ifAbsent = true;
        QTest::newRow("create") << create << u"set a~1b/c = 3 (if absent)"_s;
        QTest::newRow("merge") << request(EditRequest::Kind::Merge, u"u"_s,
                                          QJsonObject{{u"x"_s, true}})
                               << uR"(merge u = {"x":true})"_s;
        QTest::newRow("increment")
            << request(EditRequest::Kind::Increment, u"n"_s, 5) << u"increment n by +5"_s;
        QTest::newRow("decrement")
            << request(EditRequest::Kind::Increment, u"n"_s, -2.5) << u"increment n by -2.5"_s;
        QTest::newRow("add") << request(EditRequest::Kind::AddMember, u"s"_s, u"m"_s)
                             << uR"(add s "m")"_s;
        QTest::newRow("remove") << request(EditRequest::Kind::RemoveMember, u"s"_s, 1)
                                << u"remove s 1"_s;
        EditRequest del = request(EditRequest::Kind::Delete, u"x"_s, {});
        del.ifMatch = 7;
        QTest::newRow("delete") << del << u"delete x (if revision 7)"_s;
        EditRequest release = request(EditRequest::Kind::LeaseRelease, u"jobs/n"_s, {});
        release.leaseToken = 44;
        QTest::newRow("release") << release << u"release jobs/n (token 44)"_s;
    }
    void summary()
    {
        QFETCH(EditRequest, edit);
        QFETCH(QString, expected);
        QCOMPARE(edit.summary(), expected);
    }
    void longValuesAreCut()
    {
        const EditRequest edit =
            request(EditRequest::Kind::Set, u"big"_s, QString(1000, QLatin1Char('x')));
        const QString text = edit.summary(20);
        QVERIFY(text.endsWith(QChar(0x2026)));
        QVERIFY(text.size() < 60);
    }
    void fileSaysNameNotBytes()
    {
        EditRequest edit = request(EditRequest::Kind::PutFile, u"f"_s, {});
        edit.fileName = QStringLiteral("logo.png");
        edit.fileContent = QByteArray(2048, 'z');
        const QString text = edit.summary();
        QVERIFY2(text.startsWith(u"put_file f = file logo.png ("_s), qPrintable(text));
        QVERIFY(!text.contains(QLatin1String("zzz")));
    }
};

QTEST_GUILESS_MAIN(TestEditRequest)
#include "tst_editrequest.moc"
